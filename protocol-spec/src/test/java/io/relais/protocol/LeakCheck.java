package io.relais.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension that fails a test when Netty's leak detector reports a leaked buffer.
 *
 * <p>Installs a {@link ResourceLeakDetectorFactory} whose detectors record leaks instead of only
 * logging them. That only works if it happens before Netty's buffer classes are initialised, which
 * is the case when every test class that touches buffers is annotated with
 * {@code @ExtendWith(LeakCheck.class)} (JUnit creates class-level extensions before the test
 * instance). After each test it forces garbage collection and lets the detector poll, then fails if
 * anything was reported. Run with {@code -Dio.netty.leakDetection.level=paranoid} (the build does).
 * Netty tracks pooled and direct buffers (EmbeddedChannel allocates pooled direct ones, e.g. the
 * decoder's cumulation); unpooled heap buffers ({@code Unpooled.wrappedBuffer(byte[])}) are not tracked.
 */
public final class LeakCheck implements AfterEachCallback {
    private static final List<String> LEAKS = new ArrayList<>();
    private static final boolean ACTIVE;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
        boolean active;
        try {
            var field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            active = field.get(null) instanceof Recording;
        } catch (ReflectiveOperationException | RuntimeException e) {
            active = false;
        }
        ACTIVE = active;
        if (!ACTIVE) {
            System.err.println("LeakCheck: Netty buffers were initialised before LeakCheck; leaks are only logged");
        }
    }

    /** True if leaks fail tests (the recording detector is in place). */
    public static boolean active() {
        return ACTIVE;
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            synchronized (LEAKS) {
                LEAKS.add(resourceType + records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " (untraced)");
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) detected; first:\n" + leaks.get(0));
        }
    }

    /** Forces GC, lets the detector poll its reference queue, and returns (and clears) what it found. */
    private static List<String> collect() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Each tracked allocation makes the detector poll for collected, unreleased buffers.
            for (int j = 0; j < 4; j++) {
                ByteBuf b = Unpooled.buffer(1);
                b.release();
                ByteBuf d = Unpooled.directBuffer(1);
                d.release();
            }
        }
        synchronized (LEAKS) {
            List<String> copy = List.copyOf(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }
}
