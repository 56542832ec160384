package io.relais.broker.access;

import io.relais.broker.BrokerFixture;
import io.relais.broker.config.AuthConfig;
import io.relais.broker.store.StoreFaults;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What the access tests share: a broker with users guest (its administrator) and alice, and a wait. */
final class AccessBrokers {
    private AccessBrokers() {
    }

    /** A broker whose configured users are guest/guest and alice/alice-pw; only guest is an administrator. */
    static BrokerFixture guestAndAlice() {
        return new BrokerFixture(c -> c.withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("guest", "guest", "alice", "alice-pw"), false)), StoreFaults.NONE, "guest"::equals);
    }

    /** The value of {@code f}, waited for at most 10 s. */
    static <T> T done(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }
}
