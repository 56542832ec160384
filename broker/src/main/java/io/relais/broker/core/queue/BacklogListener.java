package io.relais.broker.core.queue;

/**
 * What a {@link Backlog} tells its queue. Implemented by {@link MessageQueue}; called from any
 * thread, so implementations only hand work to the queue's loop or update atomic counters.
 */
public interface BacklogListener {
    /** Messages became readable through {@link Backlog#peek()}: the queue should dispatch. */
    void readable();

    /**
     * Offered messages will never be readable (the disk refused them, or they arrived after the
     * backlog closed): the queue stops counting them.
     */
    void lost(long count, long bytes);
}
