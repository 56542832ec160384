package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What escapes a task on a store thread is logged with the thread, and the thread goes on. */
class StoreThreadsTest {
    @Test
    void shouldLogWhatATaskThrowsWhenItEscapesOnAStoreThread() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(StoreThreads.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (StoreThreads threads = new StoreThreads(1, StoreFaults.NONE)) {
            ScheduledExecutorService thread = threads.next();
            thread.execute(() -> {
                throw new IllegalStateException("injected: a store task failed");
            });
            CompletableFuture<String> after = new CompletableFuture<>();
            thread.execute(() -> after.complete(Thread.currentThread().getName()));
            assertThat(after.get(5, TimeUnit.SECONDS)).as("the next task runs").isEqualTo("relais-store-1");
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).hasSize(1);
        ILoggingEvent e = log.list.get(0);
        assertThat(e.getFormattedMessage()).isEqualTo("a store task on relais-store-1 failed");
        assertThat(e.getThrowableProxy().getMessage()).isEqualTo("injected: a store task failed");
    }
}
