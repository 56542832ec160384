package io.relais.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.StoreWaiter;
import io.relais.broker.core.routing.Router;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.wire.WireMessage;
import io.relais.protocol.Properties;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Messages for debugging, as RabbitMQ's management shows them: {@code POST /api/exchanges/{vhost}/{name}/publish}
 * routes one message through an exchange, as a PUBLISH with a confirm would (write permission on the exchange
 * and the topic permission for its key; refused with DISK_FULL while the disk alarm is raised and a durable
 * queue would store it), and answers {@code {"routed": bool}} once every queue took it (a durable one: once
 * stored); {@code POST /api/queues/{vhost}/{name}/get} shows the first {@code count} ready messages of a
 * queue (read permission, as a subscription needs) without removing them or marking them redelivered.
 * Stateless; answers on the event loop, or when the queues answer.
 */
final class MessageEndpoints {
    /** Most messages one peek shows. */
    static final int MAX_PEEK = 100;
    /** Payload bytes after which a peek shows no further message (the first one is always shown). */
    static final long PEEK_BYTES = 16L * 1024 * 1024;

    private final ApiContext api;

    MessageEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.POST, "/api/queues/{vhost}/{name}/get", ApiRouter.Level.USER, "peek at a queue",
                this::peek);
        router.add(HttpMethod.POST, "/api/exchanges/{vhost}/{name}/publish", ApiRouter.Level.USER, "publish",
                this::publish);
    }

    // ------------------------------------------------------------------ peek

    private CompletableFuture<ApiResponse> peek(ApiRequest r, Map<String, String> p) {
        Topology t = api.vhost(r.principal(), p.get("vhost"));
        JsonNode body = Json.object(r.body());
        JsonNode countNode = body.get("count");
        int count = 1;
        if (countNode != null && !countNode.isNull()) {
            if (!countNode.canConvertToInt() || !countNode.isIntegralNumber()) {
                throw ApiException.badRequest("'count' must be a whole number from 1 to " + MAX_PEEK);
            }
            count = countNode.asInt();
        }
        if (count < 1 || count > MAX_PEEK) {
            throw ApiException.badRequest("'count' must be from 1 to " + MAX_PEEK + ", not " + count);
        }
        String encoding = Json.text(body, "encoding", "auto");
        if (!encoding.equals("auto") && !encoding.equals("base64")) {
            throw ApiException.badRequest("'encoding' must be auto or base64, not '" + encoding + "'");
        }
        boolean base64 = encoding.equals("base64");
        MessageQueue q = t.consumableQueue(r.caller(t.vhost()), p.get("name"));
        long[] budget = {PEEK_BYTES};
        return q.peek(count, (m, redelivered) -> budget[0] < 0 ? null : view(m, redelivered, base64, budget))
                .thenApply(list -> ApiResponse.ok(list.stream().filter(v -> v != null).toList()));
    }

    /** On the queue's loop: what the API shows of one message, copied out of it. */
    private static Map<String, Object> view(Message m, boolean redelivered, boolean base64, long[] budget) {
        WireMessage w = WireMessage.of(m);
        byte[] payload = ByteBufUtil.getBytes(w.payload(), w.payload().readerIndex(), w.payload().readableBytes());
        budget[0] -= payload.length;
        Map<String, Object> out = new LinkedHashMap<>();
        String text = base64 ? null : utf8(payload);
        out.put("payload", text != null ? text : Base64.getEncoder().encodeToString(payload));
        out.put("payload_encoding", text != null ? "string" : "base64");
        out.put("payload_bytes", payload.length);
        out.put("exchange", m.exchange());
        out.put("routing_key", m.routingKey());
        out.put("redelivered", redelivered);
        Properties props = w.properties();
        Map<String, Object> pm = new LinkedHashMap<>();
        putIfSet(pm, "content_type", props.contentType());
        putIfSet(pm, "message_id", props.messageId());
        putIfSet(pm, "correlation_id", props.correlationId());
        putIfSet(pm, "reply_to", props.replyTo());
        putIfSet(pm, "timestamp", props.timestamp());
        putIfSet(pm, "expiration", props.expiration());
        if (props.headers() != null) {
            pm.put("headers", props.headers());
        }
        pm.put("persistent", m.persistent());
        out.put("properties", pm);
        return out;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** The payload as text if it is valid UTF-8, else null. */
    static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ publish

    private CompletableFuture<ApiResponse> publish(ApiRequest r, Map<String, String> p) {
        Topology t = api.vhost(r.principal(), p.get("vhost"));
        String exchange = ApiContext.exchangeName(p.get("name"));
        JsonNode body = Json.object(r.body());
        String key = Json.text(body, "routing_key", null);
        if (key == null) {
            throw ApiException.badRequest("'routing_key' is required");
        }
        String encoding = Json.text(body, "payload_encoding", "string");
        String payloadText = Json.text(body, "payload", "");
        byte[] payload;
        if (encoding.equals("string")) {
            payload = payloadText.getBytes(StandardCharsets.UTF_8);
        } else if (encoding.equals("base64")) {
            try {
                payload = Base64.getDecoder().decode(payloadText);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("'payload' is not valid base64: " + e.getMessage());
            }
        } else {
            throw ApiException.badRequest("'payload_encoding' must be string or base64, not '" + encoding + "'");
        }
        JsonNode props = body.get("properties");
        if (props != null && !props.isNull() && !props.isObject()) {
            throw ApiException.badRequest("'properties' must be a JSON object");
        }
        JsonNode pn = props == null || props.isNull() ? Json.MAPPER.createObjectNode() : props;
        boolean persistent = Json.bool(pn, "persistent", false);
        Properties properties = properties(pn);
        Caller caller = r.caller(t.vhost());
        return publish(t, caller, exchange, key, properties, persistent, payload)
                .thenApply(routed -> ApiResponse.ok(Map.of("routed", routed)));
    }

    private static Properties properties(JsonNode pn) {
        Long timestamp = number(pn, "timestamp");
        Long expiration = number(pn, "expiration");
        JsonNode h = pn.get("headers");
        Map<String, Object> headers = null;
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                throw ApiException.badRequest("'properties.headers' must be a JSON object");
            }
            headers = QueueEndpoints.arguments(h);
        }
        return new Properties(Json.text(pn, "content_type", null), Json.text(pn, "message_id", null),
                Json.text(pn, "correlation_id", null), Json.text(pn, "reply_to", null), timestamp, expiration,
                headers);
    }

    private static Long number(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < 0) {
            throw ApiException.badRequest("'properties." + name + "' must be a whole number of 0 or more");
        }
        return v.asLong();
    }

    /**
     * Routes one message from {@code caller}, as the protocol's publish path does, and completes with whether
     * any queue was bound for it, once every durable queue stored it; fails with the core's refusal.
     */
    private CompletableFuture<Boolean> publish(Topology t, Caller caller, String exchange, String key,
                                               Properties properties, boolean persistent, byte[] payload) {
        Router router = new Router(t, caller);
        int routed;
        try {
            routed = router.route(exchange, key);
        } catch (CoreException e) {
            if (e.reason() == Reason.ACCESS_REFUSED) {
                AuditLog.refused(caller, "publish", "exchange '" + exchange + "'", e.getMessage());
            }
            throw e;
        }
        if (routed == 0) {
            return CompletableFuture.completedFuture(false);
        }
        int stores = router.storingTargets();
        if (stores > 0 && api.broker().diskAlarm()) {
            router.clear();
            throw new CoreException(Reason.DISK_FULL, "the broker's disk is nearly full (below store.min-free-disk); "
                    + "messages to durable queues are refused until space is freed");
        }
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        AtomicInteger waiting = new AtomicInteger(stores);
        AtomicBoolean failed = new AtomicBoolean();
        StoreWaiter waiter = ok -> {
            if (!ok) {
                failed.set(true);
            }
            if (waiting.decrementAndGet() == 0) {
                settle(done, failed.get());
            }
        };
        Message message = new WireMessage(exchange, key, properties, persistent, Unpooled.copiedBuffer(payload),
                System.currentTimeMillis());
        try {
            router.enqueue(message, waiter);
        } finally {
            message.release();
        }
        if (router.refusedBy() != null) {
            done.completeExceptionally(new CoreException(Reason.QUEUE_FULL, "queue '" + router.refusedBy()
                    + "' is full"));
        }
        int notCalled = router.refusedStoring();
        if (stores == 0 || (notCalled > 0 && waiting.addAndGet(-notCalled) == 0)) {
            settle(done, failed.get());
        }
        return done;
    }

    private static void settle(CompletableFuture<Boolean> done, boolean failed) {
        if (failed) {
            done.completeExceptionally(new CoreException(Reason.STORE_FAILED, "a durable queue could not store the "
                    + "message"));
        } else {
            done.complete(true);
        }
    }
}
