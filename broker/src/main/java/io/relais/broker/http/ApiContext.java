package io.relais.broker.http;

import io.relais.broker.admin.AdminService;
import io.relais.broker.config.HttpConfig;
import io.relais.broker.core.Names;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.net.BrokerContext;
import io.relais.broker.security.UserDatabase;
import java.util.ArrayList;
import java.util.List;

/**
 * What the endpoints share: the broker's context (virtual hosts, permissions, sessions, alarms), the user
 * database, the administration service, the broker's status, the rate sampler, the authenticator with its
 * tokens, and the settings; with the lookups every endpoint needs (a virtual host by name, the virtual hosts a
 * caller may see). Immutable; its parts are thread-safe.
 *
 * @param broker the broker's shared context
 * @param users the user database
 * @param admin users, virtual hosts and permissions, as the protocol changes them
 * @param status listeners, recovery, disk space
 * @param rates message rates sampled every few seconds
 * @param auth the authenticator
 * @param config the {@code http.*} settings
 * @param version the broker's version
 */
record ApiContext(BrokerContext broker, UserDatabase users, AdminService admin, BrokerStatus status,
                  RateSampler rates, HttpAuthenticator auth, HttpConfig config, String version) {
    /** The name the default exchange ("" in JSON) has in paths. */
    static final String DEFAULT_EXCHANGE_PATH = "amq.default";

    /** The exchange a path segment names: {@value #DEFAULT_EXCHANGE_PATH} is the default exchange. */
    static String exchangeName(String segment) {
        return segment.equals(DEFAULT_EXCHANGE_PATH) ? Topology.DEFAULT_EXCHANGE : segment;
    }

    /** True if {@code who} may see the objects of {@code vhost}: monitoring, administrator, or a permission there. */
    boolean sees(Principal who, String vhost) {
        return who.monitoring() || broker.permissions().permission(who.name(), vhost) != null;
    }

    /** The virtual hosts {@code who} may see, sorted by name. */
    List<Topology> visibleVhosts(Principal who) {
        List<Topology> out = new ArrayList<>();
        for (String name : broker.vhosts().names()) {
            Topology t = broker.vhosts().get(name);
            if (t != null && sees(who, name)) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * The virtual host {@code name}, which {@code who} may see.
     *
     * @throws ApiException 404 if there is none, or if {@code who} may not see it (as if there were none)
     */
    Topology vhost(Principal who, String name) {
        Topology t = broker.vhosts().get(name);
        if (t == null || !sees(who, name)) {
            throw ApiException.notFound("no virtual host '" + name + "'" + (t == null ? "" : " visible to "
                    + Caller.describe(who.name())));
        }
        return t;
    }

    /** The default virtual host's name. */
    static String defaultVhost() {
        return Names.DEFAULT_VHOST;
    }
}
