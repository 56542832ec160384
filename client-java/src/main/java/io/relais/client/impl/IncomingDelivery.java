package io.relais.client.impl;

import io.relais.client.Delivery;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Reject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Delivery} built from a DELIVER frame on the event loop, with the payload copied to the heap
 * (the frame itself is released there). Settling is sent through the connection, at most once.
 *
 * <p>Thread-safe: fields are final; the settled flag is atomic.
 */
final class IncomingDelivery implements Delivery {
    private final Connection connection;
    private final ActiveSubscription subscription;
    private final boolean manualAck;
    private final long sid;
    private final long deliveryTag;
    private final boolean redelivered;
    private final boolean persistent;
    private final String exchange;
    private final String routingKey;
    private final Properties properties;
    private final byte[] payload;
    private final AtomicBoolean settled = new AtomicBoolean();

    IncomingDelivery(Connection connection, ActiveSubscription subscription, Deliver frame, byte[] payload) {
        this.connection = connection;
        this.subscription = subscription;
        this.manualAck = subscription.manualAck();
        this.sid = frame.sid();
        this.deliveryTag = frame.deliveryTag();
        this.redelivered = (frame.flags() & Deliver.REDELIVERED) != 0;
        this.persistent = (frame.flags() & Deliver.PERSISTENT) != 0;
        this.exchange = frame.exchange();
        this.routingKey = frame.routingKey();
        this.properties = frame.properties();
        this.payload = payload;
    }

    @Override
    public long sid() {
        return sid;
    }

    @Override
    public long deliveryTag() {
        return deliveryTag;
    }

    @Override
    public boolean redelivered() {
        return redelivered;
    }

    @Override
    public boolean persistent() {
        return persistent;
    }

    @Override
    public String exchange() {
        return exchange;
    }

    @Override
    public String routingKey() {
        return routingKey;
    }

    @Override
    public Properties properties() {
        return properties;
    }

    @Override
    public byte[] payload() {
        return payload;
    }

    @Override
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public void ack() {
        if (settle()) {
            connection.sendSettlement(new Ack(deliveryTag, false));
        }
    }

    @Override
    public void nack(boolean requeue) {
        if (settle()) {
            connection.sendSettlement(new Nack(deliveryTag, false, requeue));
        }
    }

    @Override
    public void reject(boolean requeue) {
        if (settle()) {
            connection.sendSettlement(new Reject(deliveryTag, requeue));
        }
    }

    /**
     * True once, for a manual-ack delivery that is still outstanding in the broker: not when the broker took it
     * back with the rest of its subscription (consumer timeout), where settling it would only draw ERROR 1009.
     */
    private boolean settle() {
        return manualAck && settled.compareAndSet(false, true) && !subscription.requeuedByBroker();
    }

    @Override
    public String toString() {
        return "Delivery[sid=" + sid + ", tag=" + deliveryTag + ", exchange=" + exchange + ", routingKey="
                + routingKey + ", redelivered=" + redelivered + ", payload=" + payload.length + " bytes]";
    }
}
