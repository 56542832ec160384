package io.relais.broker.core.queue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link Message} over a byte array with a visible reference count, for tests of the core. */
final class TestMessage extends Message {
    final String body;
    final AtomicInteger refs = new AtomicInteger(1);
    private final Long expiration;
    private final Map<String, Object> headers;

    TestMessage(String body, Long expiration) {
        this("", "k", body, expiration, null, System.currentTimeMillis());
    }

    TestMessage(String exchange, String key, String body, Long expiration, Map<String, Object> headers, long arrival) {
        super(exchange, key, false, arrival, -1);
        this.body = body;
        this.expiration = expiration;
        this.headers = headers;
    }

    @Override
    public int size() {
        return body.length();
    }

    @Override
    public Long expiration() {
        return expiration;
    }

    @Override
    public Map<String, Object> headers() {
        return headers;
    }

    @Override
    public void retain(int n) {
        refs.addAndGet(n);
    }

    @Override
    public void release() {
        if (refs.decrementAndGet() < 0) {
            throw new IllegalStateException("released too often: " + body);
        }
    }

    @Override
    public Message deadLettered(String exchange, String routingKey, Map<String, Object> newHeaders, long arrival) {
        refs.incrementAndGet();
        return new TestMessage(exchange, routingKey, body, null, newHeaders, arrival);
    }
}
