package io.relais.broker.metrics;

import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * The series computed from the queues at scrape time: broker-wide totals (queues, ready and
 * unacknowledged messages, consumers) always, and, unless {@code metrics.per-queue} is off, five
 * series per queue labelled {@code vhost} and {@code queue}. One pass reads each queue's lock-free
 * getters ({@link MessageQueue#messageCount()} and the like) into arrays, then each family is written
 * straight into a {@link TextSink}, without the client library's snapshot objects, so that a broker
 * with tens of thousands of queues answers a scrape in milliseconds.
 *
 * <p>Stateless apart from its settings; a scrape on any thread, several at once allowed.
 */
final class QueueSeries {
    private static final byte[] VHOST_LABEL = "{vhost=\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUEUE_LABEL = "\",queue=\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABELS_END = "\"} ".getBytes(StandardCharsets.US_ASCII);

    private final boolean perQueue;

    QueueSeries(boolean perQueue) {
        this.perQueue = perQueue;
    }

    /** What one pass over the queues read. */
    private static final class Readings {
        int n;
        byte[][] vhost = new byte[64][];
        byte[][] name = new byte[64][];
        long[] ready = new long[64];
        long[] unacked = new long[64];
        long[] consumers = new long[64];
        long[] enqueued = new long[64];
        long[] delivered = new long[64];

        void add(byte[] v, MessageQueue q) {
            if (n == ready.length) {
                int size = n * 2;
                vhost = Arrays.copyOf(vhost, size);
                name = Arrays.copyOf(name, size);
                ready = Arrays.copyOf(ready, size);
                unacked = Arrays.copyOf(unacked, size);
                consumers = Arrays.copyOf(consumers, size);
                enqueued = Arrays.copyOf(enqueued, size);
                delivered = Arrays.copyOf(delivered, size);
            }
            vhost[n] = v;
            name[n] = TextSink.labelValue(q.name());
            ready[n] = q.messageCount();
            unacked[n] = q.unackedCount();
            consumers[n] = q.consumerCount();
            enqueued[n] = q.enqueuedTotal();
            delivered[n] = q.deliveredTotal();
            n++;
        }
    }

    /** Writes the totals and, if on, the per-queue families of {@code topologies}' queues. */
    void write(TextSink out, Collection<Topology> topologies) throws IOException {
        long queues = 0;
        long ready = 0;
        long unacked = 0;
        long consumers = 0;
        Readings r = perQueue ? new Readings() : null;
        for (Topology t : topologies) {
            byte[] vhost = perQueue ? TextSink.labelValue(t.vhost()) : null;
            for (MessageQueue q : t.queues()) {
                queues++;
                if (r != null) {
                    r.add(vhost, q);
                    int i = r.n - 1;
                    ready += r.ready[i];
                    unacked += r.unacked[i];
                    consumers += r.consumers[i];
                } else {
                    ready += q.messageCount();
                    unacked += q.unackedCount();
                    consumers += q.consumerCount();
                }
            }
        }
        total(out, "relais_queues", "Queues in all virtual hosts", queues);
        total(out, "relais_messages_ready", "Messages ready for delivery in all queues", ready);
        total(out, "relais_messages_unacked", "Messages delivered and not acknowledged yet, in all queues", unacked);
        total(out, "relais_consumers", "Consumers (subscriptions) on all queues", consumers);
        if (r == null) {
            return;
        }
        family(out, r, "relais_queue_messages_ready", "gauge", "Messages ready for delivery in the queue", r.ready);
        family(out, r, "relais_queue_messages_unacked", "gauge",
                "Messages delivered from the queue and not acknowledged yet", r.unacked);
        family(out, r, "relais_queue_consumers", "gauge", "Consumers of the queue", r.consumers);
        family(out, r, "relais_queue_messages_enqueued_total", "counter",
                "Messages the queue took since it was declared or recovered", r.enqueued);
        family(out, r, "relais_queue_messages_delivered_total", "counter",
                "Messages the queue delivered since it was declared or recovered", r.delivered);
    }

    private static void header(TextSink out, String name, String type, String help) throws IOException {
        out.ascii("# HELP ").ascii(name).ch(' ').ascii(help).ch('\n');
        out.ascii("# TYPE ").ascii(name).ch(' ').ascii(type).ch('\n');
    }

    private static void total(TextSink out, String name, String help, long value) throws IOException {
        header(out, name, "gauge", help);
        out.ascii(name).ch(' ').number(value).ch('\n');
    }

    private static void family(TextSink out, Readings r, String name, String type, String help, long[] values)
            throws IOException {
        header(out, name, type, help);
        byte[] prefix = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < r.n; i++) {
            out.bytes(prefix).bytes(VHOST_LABEL).bytes(r.vhost[i]).bytes(QUEUE_LABEL).bytes(r.name[i])
                    .bytes(LABELS_END).number(values[i]).ch('\n');
        }
    }
}
