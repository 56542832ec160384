package io.relais.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("RateLimitedLogTest");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(10), now::get);

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void shouldLogTheFirstLineThenCountRepeatsWithinTheWindow() {
        for (int i = 0; i < 1_000; i++) {
            log.warn("message {} is missing", i);
        }

        assertThat(lines.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).isEqualTo("message 0 is missing");
        });
        assertThat(log.suppressed()).isEqualTo(999);
    }

    @Test
    void shouldReportTheSuppressedCountWithTheFirstLineAfterTheWindow() {
        log.error("bad record {}", 1);
        log.error("bad record {}", 2);
        log.error("bad record {}", 3);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.error("bad record {}", 4);
        log.error("bad record {}", 5);

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "bad record 1",
                "bad record 4 (2 more like this since the previous line; at most one per 10 s)");
        assertThat(lines.list).extracting(ILoggingEvent::getLevel).containsOnly(Level.ERROR);
        assertThat(log.suppressed()).isEqualTo(1);
    }

    @Test
    void shouldLogAgainWithoutACountWhenNothingWasSuppressed() {
        log.warn("once");
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        log.warn("twice");

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("once", "twice");
    }

    @Test
    void shouldLogOneLinePerWindowWhenManyThreadsRepeatAnEvent() throws InterruptedException {
        RateLimitedLog real = RateLimitedLog.every(logger);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    real.warn("repeated");
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(lines.list).hasSize(1);
        assertThat(real.suppressed()).isEqualTo(4 * 10_000 - 1);
    }
}
