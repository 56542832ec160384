package io.relais.broker.http;

import io.netty.handler.codec.http.HttpMethod;
import io.relais.broker.core.manage.ConnectionSnapshot;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/overview}: version, uptime, node, listeners, object and queue totals, message totals and
 * rates, alarms and free disk space. Totals count what the caller may see (all of it for monitoring and
 * administrators; the virtual hosts it has permissions in, and its own connections, otherwise). The message
 * totals are sums of the counters of the queues that exist now ({@code published}: messages queues accepted;
 * {@code delivered}); the counters the core does not keep per queue ({@code acked}, {@code redelivered},
 * {@code confirmed}, {@code unroutable}) and the ack rate are null. Stateless apart from the node name, read
 * once at start-up; answers on the event loop from memory.
 */
final class OverviewEndpoints {
    private final ApiContext api;
    private final String node;

    OverviewEndpoints(ApiContext api) {
        this.api = api;
        this.node = hostName();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/overview", ApiRouter.Level.USER, "overview", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(overview(r.principal()))));
    }

    private Map<String, Object> overview(Principal who) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", api.version());
        body.put("uptime_ms", Math.max(0, System.currentTimeMillis() - api.status().startedAtMillis()));
        body.put("node", node);
        List<Map<String, Object>> listeners = new ArrayList<>();
        for (BrokerStatus.Listener l : api.status().listeners()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", l.protocol());
            m.put("host", l.host());
            m.put("port", l.port());
            listeners.add(m);
        }
        body.put("listeners", listeners);
        List<Topology> vhosts = api.visibleVhosts(who);
        long exchanges = 0;
        long queues = 0;
        long consumers = 0;
        long ready = 0;
        long unacked = 0;
        long published = 0;
        long delivered = 0;
        for (Topology t : vhosts) {
            exchanges += t.exchanges().size();
            for (MessageQueue q : t.queues()) {
                queues++;
                consumers += q.consumerCount();
                ready += q.messageCount();
                unacked += q.unackedCount();
                published += q.enqueuedTotal();
                delivered += q.deliveredTotal();
            }
        }
        long connections = 0;
        for (ConnectionSnapshot c : api.broker().view().connections()) {
            if (who.monitoring() || c.user().equals(who.name())) {
                connections++;
            }
        }
        Map<String, Object> objects = new LinkedHashMap<>();
        objects.put("connections", connections);
        objects.put("vhosts", vhosts.size());
        objects.put("exchanges", exchanges);
        objects.put("queues", queues);
        objects.put("consumers", consumers);
        body.put("object_totals", objects);
        Map<String, Object> queueTotals = new LinkedHashMap<>();
        queueTotals.put("messages_ready", ready);
        queueTotals.put("messages_unacked", unacked);
        body.put("queue_totals", queueTotals);
        Map<String, Object> messages = new LinkedHashMap<>();
        messages.put("published", published);
        messages.put("delivered", delivered);
        messages.put("acked", null);
        messages.put("redelivered", null);
        messages.put("confirmed", null);
        messages.put("unroutable", null);
        body.put("message_totals", messages);
        RateSampler.Rates rates = api.rates().total();
        Map<String, Object> rateMap = new LinkedHashMap<>();
        rateMap.put("publish", rates.publish());
        rateMap.put("deliver", rates.deliver());
        rateMap.put("ack", null);
        body.put("message_rates", rateMap);
        Map<String, Object> alarms = new LinkedHashMap<>();
        alarms.put("memory", api.broker().memoryAlarm());
        alarms.put("disk", api.broker().diskAlarm());
        body.put("alarms", alarms);
        body.put("disk_free_bytes", api.status().diskFreeBytes());
        return body;
    }
}
