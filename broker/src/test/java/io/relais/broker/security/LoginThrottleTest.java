package io.relais.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The schedule of the delay after failed logins, computed with a fixed clock: no wall-clock timing. */
class LoginThrottleTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final LoginThrottle throttle = new LoginThrottle(Duration.ofMillis(100), Duration.ofMillis(1000), 3);

    private static InetAddress address(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    }

    @Test
    void shouldDoubleTheDelayFromTheBaseUpToTheCapWhenFailuresRepeat() {
        assertThat(throttle.delayNanos(0)).isZero();
        assertThat(throttle.delayNanos(1)).isEqualTo(100 * MS);
        assertThat(throttle.delayNanos(2)).isEqualTo(200 * MS);
        assertThat(throttle.delayNanos(3)).isEqualTo(400 * MS);
        assertThat(throttle.delayNanos(4)).isEqualTo(800 * MS);
        assertThat(throttle.delayNanos(5)).isEqualTo(1000 * MS);
        assertThat(throttle.delayNanos(64)).isEqualTo(1000 * MS);
        assertThat(throttle.delayNanos(Integer.MAX_VALUE)).isEqualTo(1000 * MS);
    }

    @Test
    void shouldMakeTheNextAttemptWaitLongerAfterEachFailureAndNotAtAllAfterASuccess() throws Exception {
        InetAddress a = address(1);
        long now = 1_000_000 * MS;
        assertThat(throttle.admit(a, now)).as("no failure yet").isZero();
        throttle.failed(a, now);
        assertThat(throttle.admit(a, now)).isEqualTo(100 * MS);
        throttle.failed(a, now + 100 * MS);
        assertThat(throttle.admit(a, now + 100 * MS)).isEqualTo(200 * MS);
        throttle.failed(a, now + 300 * MS);
        assertThat(throttle.admit(a, now + 300 * MS)).isEqualTo(400 * MS);
        assertThat(throttle.failures(a)).isEqualTo(3);
        throttle.succeeded(a);
        assertThat(throttle.admit(a, now + 700 * MS)).isZero();
        assertThat(throttle.failures(a)).isZero();
    }

    @Test
    void shouldSpaceAttemptsMadeAtOnceWhenAnAddressOpensManyConnections() throws Exception {
        InetAddress a = address(2);
        long now = 5_000 * MS;
        throttle.failed(a, now);
        throttle.failed(a, now);
        // Two failures: 200 ms apart. Three attempts at the same instant are queued one behind the other.
        assertThat(throttle.admit(a, now)).isEqualTo(200 * MS);
        assertThat(throttle.admit(a, now)).isEqualTo(400 * MS);
        assertThat(throttle.admit(a, now)).isEqualTo(600 * MS);
    }

    @Test
    void shouldForgetTheLeastRecentAddressWhenMoreThanTheLimitAreTracked() throws Exception {
        for (int i = 1; i <= 5; i++) {
            throttle.failed(address(i), 0);
        }
        assertThat(throttle.tracked()).isEqualTo(3);
        assertThat(throttle.failures(address(1))).isZero();
        assertThat(throttle.failures(address(5))).isEqualTo(1);
    }

    @Test
    void shouldNeverDelayWhenTheBaseIsZero() throws Exception {
        LoginThrottle off = new LoginThrottle(Duration.ZERO, Duration.ZERO, 10);
        off.failed(address(1), 0);
        assertThat(off.admit(address(1), 0)).isZero();
    }
}
