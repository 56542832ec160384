package io.relais.client.impl;

import io.relais.client.Delivery;
import io.relais.client.RelaisException;
import io.relais.protocol.Properties;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Reject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Delivery} built from a DELIVER frame on the event loop, with the payload copied to the heap
 * (the frame itself is released there). It is its own hand-off both ways: the {@link Runnable} the
 * {@link DeliveryDispatcher} gives the handler executor, and the {@link LoopTask} that carries its settlement
 * (at most one) back to the event loop, so neither direction allocates a task per message.
 *
 * <p>Thread-safe: fields are final but the settlement, which is written once (guarded by the atomic settled
 * flag) before the delivery is queued to the event loop.
 */
final class IncomingDelivery extends LoopTask implements Delivery, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IncomingDelivery.class);
    private static final AtomicIntegerFieldUpdater<IncomingDelivery> SETTLED =
            AtomicIntegerFieldUpdater.newUpdater(IncomingDelivery.class, "settled");

    /** How the application settled it. */
    enum Settlement { ACK, NACK, NACK_REQUEUE, REJECT, REJECT_REQUEUE }

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
    private final boolean batchAcks;
    /** 0 until settled, then 1; set through {@link #SETTLED}. */
    private volatile int settled;
    private Settlement settlement;

    IncomingDelivery(Connection connection, ActiveSubscription subscription, Deliver frame, byte[] payload) {
        this.connection = connection;
        this.subscription = subscription;
        this.manualAck = subscription.manualAck();
        this.batchAcks = subscription.batchAcks();
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
        settle(Settlement.ACK);
    }

    @Override
    public void nack(boolean requeue) {
        settle(requeue ? Settlement.NACK_REQUEUE : Settlement.NACK);
    }

    @Override
    public void reject(boolean requeue) {
        settle(requeue ? Settlement.REJECT_REQUEUE : Settlement.REJECT);
    }

    private void settle(Settlement how) {
        if (settle()) {
            settlement = how;
            connection.sendSettlement(this);
        }
    }

    long tag() {
        return deliveryTag;
    }

    /** True when its acknowledgement may be coalesced with others (the subscription's option). */
    boolean batchAcks() {
        return batchAcks;
    }

    Settlement settlement() {
        return settlement;
    }

    /** The settlement frame, when it is sent on its own. */
    Frame frame() {
        return switch (settlement) {
            case ACK -> new Ack(deliveryTag, false);
            case NACK -> new Nack(deliveryTag, false, false);
            case NACK_REQUEUE -> new Nack(deliveryTag, false, true);
            case REJECT -> new Reject(deliveryTag, false);
            case REJECT_REQUEUE -> new Reject(deliveryTag, true);
        };
    }

    /** On the event loop: the settlement arrived. */
    @Override
    void runOnLoop() {
        connection.settlementArrived(this);
    }

    @Override
    void refused(RelaisException cause) {
        LOG.debug("{} of tag {} not sent: {}", settlement, deliveryTag, cause.getMessage());
    }

    /** On the handler executor: runs the subscription's handler. Not for applications. */
    @Override
    public void run() {
        connection.handle(subscription, this);
    }

    /**
     * True once, for a manual-ack delivery that is still outstanding in the broker: not when the broker took it
     * back with the rest of its subscription (consumer timeout), where settling it would only draw ERROR 1009.
     */
    private boolean settle() {
        return manualAck && SETTLED.compareAndSet(this, 0, 1) && !subscription.requeuedByBroker();
    }

    @Override
    public String toString() {
        return "Delivery[sid=" + sid + ", tag=" + deliveryTag + ", exchange=" + exchange + ", routingKey="
                + routingKey + ", redelivered=" + redelivered + ", payload=" + payload.length + " bytes]";
    }
}
