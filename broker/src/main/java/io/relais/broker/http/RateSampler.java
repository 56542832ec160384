package io.relais.broker.http;

import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.routing.Topology;
import io.relais.broker.core.vhost.VirtualHosts;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Message rates as the API shows them, sampled by the broker every {@value #PERIOD_MILLIS} ms whoever asks
 * (so that two clients polling do not disturb each other's rates): per queue, messages accepted and delivered
 * per second over the last period, and for the whole broker the sums. {@link #sample()} runs on a schedule;
 * reads take the latest sample. Thread-safe: samples are kept under this object's lock, which only the
 * sampler and API reads take; it reads the queues' lock-free counters.
 */
final class RateSampler implements Runnable {
    static final long PERIOD_MILLIS = 5000;

    /** A queue's counters at a moment, and its rates over the period before it. */
    private record Sample(long nanos, long enqueued, long delivered, double publishRate, double deliverRate) {
    }

    /** Rates per second. */
    record Rates(double publish, double deliver) {
        static final Rates NONE = new Rates(0, 0);
    }

    private final VirtualHosts vhosts;
    private final Map<MessageQueue, Sample> samples = new WeakHashMap<>();
    private Rates total = Rates.NONE;

    RateSampler(VirtualHosts vhosts) {
        this.vhosts = vhosts;
    }

    @Override
    public void run() {
        sample();
    }

    /** Takes a sample of every queue now. */
    synchronized void sample() {
        long now = System.nanoTime();
        double publish = 0;
        double deliver = 0;
        for (Topology t : vhosts.all()) {
            for (MessageQueue q : t.queues()) {
                Sample previous = samples.get(q);
                long enq = q.enqueuedTotal();
                long del = q.deliveredTotal();
                double pr = 0;
                double dr = 0;
                if (previous != null && now > previous.nanos()) {
                    double seconds = (now - previous.nanos()) / 1e9;
                    pr = Math.max(0, (enq - previous.enqueued()) / seconds);
                    dr = Math.max(0, (del - previous.delivered()) / seconds);
                }
                samples.put(q, new Sample(now, enq, del, pr, dr));
                publish += pr;
                deliver += dr;
            }
        }
        samples.keySet().removeIf(MessageQueue::deleted);
        total = new Rates(publish, deliver);
    }

    /** The rates of {@code queue} over the last period; zero before its second sample. */
    synchronized Rates of(MessageQueue queue) {
        Sample s = samples.get(queue);
        return s == null ? Rates.NONE : new Rates(s.publishRate(), s.deliverRate());
    }

    /** The broker's rates over the last period: the sums over its queues. */
    synchronized Rates total() {
        return total;
    }
}
