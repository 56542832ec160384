package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.net.Session;
import io.relais.client.AccessRefusedException;
import io.relais.client.AuthenticationException;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.ReconnectPolicy;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.UserInfo;
import io.relais.protocol.frame.Welcome;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Users and logins on a real broker with the real client: SCRAM-SHA-256 by default, wrong passwords and
 * unknown users refused alike, the delay after failed logins, guest only from loopback, PLAIN refused without
 * TLS from another address, users that survive a restart with no password on disk, user administration and
 * its refusals, and the audit line of each case. Tests that need a non-loopback address of this machine are
 * skipped (assumption) on a machine without one.
 */
class UsersEndToEndTest {
    private static final String PASSWORD = "s3cret-Pässwörd";
    private BrokerFixture fixture;
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();
    private final Logger auditLogger = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER_NAME);

    @BeforeEach
    void captureAudit() {
        audit.start();
        auditLogger.addAppender(audit);
    }

    @AfterEach
    void tearDown() {
        auditLogger.detachAppender(audit);
        if (fixture != null) {
            fixture.close();
        }
    }

    private RelaisClient connect(String host, String user, String password) {
        return RelaisClient.builder().host(host).port(fixture.port()).username(user).password(password)
                .reconnect(ReconnectPolicy.disabled()).connectTimeout(Duration.ofSeconds(10)).connect();
    }

    private RelaisClient connect(String user, String password) {
        return connect("127.0.0.1", user, password);
    }

    private List<String> auditLines(String event) {
        return audit.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.contains("\"event\":\"" + event + "\"")).toList();
    }

    /** An IPv4 address of this machine that is not loopback, if it has one. */
    private static Optional<InetAddress> otherAddress() throws Exception {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Test
    void shouldLogInWithScramSha256WhenTheBrokerOffersIt() {
        fixture = new BrokerFixture();
        try (RelaisClient client = connect("guest", "guest")) {
            assertThat(client.listQueues().join()).isNotNull();
        }
        assertThat(auditLines("login")).singleElement().asString().contains("\"address\":\"127.0.0.1\"",
                "\"user\":\"guest\"", "\"mechanism\":\"SCRAM-SHA-256\"", "\"success\":true");
    }

    @Test
    void shouldRefuseAWrongPasswordAndAnUnknownUserWithTheSameErrorWhenLoggingIn() {
        fixture = new BrokerFixture(c -> c.withAuth(c.auth().withFailureDelay(Duration.ZERO, Duration.ZERO)));
        Throwable wrong = catchLogin("guest", "not-guest");
        Throwable unknown = catchLogin("nobody", "guest");
        assertThat(wrong).isInstanceOf(AuthenticationException.class);
        assertThat(unknown).isInstanceOf(AuthenticationException.class);
        assertThat(((RelaisException) wrong).code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(wrong.getMessage()).isEqualTo("authentication failed for user 'guest': unknown user or wrong "
                + "password");
        assertThat(unknown.getMessage().replace("nobody", "guest")).isEqualTo(wrong.getMessage());
        List<String> lines = auditLines("login");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"user\":\"guest\"", "\"success\":false", "\"reason\":\"wrong password\"");
        assertThat(lines.get(1)).contains("\"user\":\"nobody\"", "\"success\":false", "\"reason\":\"unknown user\"");
    }

    private Throwable catchLogin(String user, String password) {
        try {
            connect(user, password).close();
            throw new AssertionError("logged in as " + user);
        } catch (RelaisException e) {
            return e;
        }
    }

    @Test
    void shouldDelayLoginsFromAnAddressMoreAfterEachFailureAndResetOnSuccess() throws Exception {
        fixture = new BrokerFixture();
        InetAddress local = InetAddress.getByName("127.0.0.1");
        var throttle = fixture.broker().loginThrottle();
        for (int i = 1; i <= 3; i++) {
            catchLogin("guest", "wrong");
            assertThat(throttle.failures(local)).isEqualTo(i);
        }
        // The schedule: the next attempt from this address waits 100 ms after one failure, 200 after two, 400
        // after three, up to auth.failure-delay-max.
        assertThat(TimeUnit.NANOSECONDS.toMillis(throttle.delayNanos(1))).isEqualTo(100);
        assertThat(TimeUnit.NANOSECONDS.toMillis(throttle.delayNanos(2))).isEqualTo(200);
        assertThat(TimeUnit.NANOSECONDS.toMillis(throttle.delayNanos(3))).isEqualTo(400);
        assertThat(TimeUnit.NANOSECONDS.toMillis(throttle.delayNanos(20))).isEqualTo(5000);
        try (RelaisClient ok = connect("guest", "guest")) {
            assertThat(ok.listQueues().join()).isNotNull();
        }
        assertThat(throttle.failures(local)).as("a success resets the address").isZero();
        assertThat(auditLines("login")).hasSize(4).last().asString().contains("\"success\":true");
    }

    @Test
    void shouldAcceptGuestFromLoopbackAndRefuseItFromAnotherAddressWithAClearMessage() throws Exception {
        Optional<InetAddress> other = otherAddress();
        assumeThat(other).as("a non-loopback IPv4 address on this machine").isPresent();
        fixture = new BrokerFixture(c -> c.withHost("0.0.0.0"));
        try (RelaisClient c = connect("guest", "guest")) {
            assertThat(c.listQueues().join()).isNotNull();
        }
        String host = other.get().getHostAddress();
        assertThatThrownBy(() -> connect(host, "guest", "guest").close()).isInstanceOf(AuthenticationException.class)
                .hasMessage("user 'guest' may log in only from a loopback address (127.0.0.1 or ::1), not from " + host);
        assertThat(auditLines("login")).last().asString().contains("\"address\":\"" + host + "\"",
                "\"success\":false", "\"reason\":\"loopback-only user from another address\"");
    }

    @Test
    void shouldRefusePlainWithoutTlsFromAnotherAddressUnlessConfigured() throws Exception {
        Optional<InetAddress> other = otherAddress();
        assumeThat(other).as("a non-loopback IPv4 address on this machine").isPresent();
        String host = other.get().getHostAddress();
        fixture = new BrokerFixture(c -> c.withHost("0.0.0.0"));
        try (RelaisClient admin = connect("guest", "guest")) {
            admin.users().add("alice", PASSWORD, Set.of()).join();
        }
        try (RawConnection raw = new RawConnection(host, fixture.port())) {
            raw.send(new Hello(1, 1, "plain", List.of(ProtocolVersion.CAP_SASL)));
            Welcome w = (Welcome) raw.read();
            assertThat(w.mechanisms()).as("PLAIN is not offered there").containsExactly("SCRAM-SHA-256");
            raw.send(new Auth("PLAIN", ("\0alice\0" + PASSWORD).getBytes(StandardCharsets.UTF_8), 0));
            Frame f = raw.read();
            assertThat(f).isInstanceOf(ErrorFrame.class);
            assertThat(((ErrorFrame) f).code()).isEqualTo(2006);
            assertThat(((ErrorFrame) f).message()).startsWith("PLAIN is refused on a connection without TLS");
        }
        assertThat(auditLines("login")).last().asString().contains("\"address\":\"" + host + "\"",
                "\"mechanism\":\"PLAIN\"", "\"success\":false", "\"reason\":\"PLAIN without TLS\"");
        try (RelaisClient alice = connect(host, "alice", PASSWORD)) {
            assertThat(alice.listQueues().join()).as("SCRAM from the same address").isNotNull();
        }
        fixture.close();
        fixture = new BrokerFixture(c -> c.withHost("0.0.0.0").withAuth(c.auth().withPlainOnPlaintext(true)));
        try (RelaisClient admin = connect("guest", "guest")) {
            admin.users().add("alice", PASSWORD, Set.of()).join();
        }
        try (RawConnection raw = new RawConnection(host, fixture.port())) {
            raw.send(new Hello(1, 1, "plain", List.of()));
            assertThat(((Welcome) raw.read()).mechanisms()).containsExactly("PLAIN");
            raw.send(new Auth("PLAIN", ("\0alice\0" + PASSWORD).getBytes(StandardCharsets.UTF_8), 0));
            assertThat(raw.read()).isInstanceOf(Ready.class);
        }
        assertThat(auditLines("login")).last().asString().contains("\"mechanism\":\"PLAIN\"", "\"success\":true");
    }

    @Test
    void shouldKeepUsersAcrossARestartWithNoPasswordOnDisk() throws Exception {
        fixture = new BrokerFixture();
        try (RelaisClient admin = connect("guest", "guest")) {
            admin.users().add("alice", PASSWORD, Set.of("monitoring")).join();
        }
        fixture.restart();
        try (RelaisClient alice = connect("alice", PASSWORD)) {
            assertThat(alice.users().list().join()).extracting(UserInfo::name).containsExactly("alice", "guest");
        }
        byte[] file = Files.readAllBytes(fixture.dataDir().resolve("users.db"));
        String latin1 = new String(file, StandardCharsets.ISO_8859_1);
        assertThat(latin1).contains("alice").doesNotContain(PASSWORD)
                .doesNotContain(new String(PASSWORD.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        try (var files = Files.walk(fixture.dataDir())) {
            for (var p : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as("%s", p)
                        .doesNotContain(new String(PASSWORD.getBytes(StandardCharsets.UTF_8),
                                StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void shouldAdministerUsersAndRefuseThoseWhoAreNotAdministrators() {
        fixture = new BrokerFixture();
        try (RelaisClient admin = connect("guest", "guest")) {
            admin.users().add("bob", "bob-pw", Set.of()).join();
            admin.users().add("carol", "carol-pw", Set.of("administrator")).join();
            assertThat(admin.users().list().join()).containsExactly(new UserInfo("bob", List.of(), false),
                    new UserInfo("carol", List.of("administrator"), false),
                    new UserInfo("guest", List.of("administrator"), true));
            assertThat(cause(catchJoin(() -> admin.users().delete("guest").join())))
                    .isInstanceOf(RelaisException.class).hasMessage("user 'guest' may not delete itself");
            assertThat(((RelaisException) cause(catchJoin(() -> admin.users().add("bob", "x", Set.of()).join())))
                    .code()).isEqualTo(ErrorCode.PRECONDITION_FAILED);
            admin.users().changePassword("bob", "bob-new").join();
        }
        assertThat(catchLogin("bob", "bob-pw")).isInstanceOf(AuthenticationException.class);
        try (RelaisClient bob = connect("bob", "bob-new")) {
            assertThat(cause(catchJoin(() -> bob.users().add("eve", "x", Set.of()).join())))
                    .isInstanceOf(AccessRefusedException.class)
                    .hasMessage("user 'bob' may not USER_PUT 'eve': only users tagged administrator may");
            assertThat(cause(catchJoin(() -> bob.users().list().join())))
                    .isInstanceOf(AccessRefusedException.class).hasMessageContaining("USER_LIST");
            assertThat(bob.listQueues().join()).as("a refusal leaves the connection open").isNotNull();
        }
        try (RelaisClient carol = connect("carol", "carol-pw")) {
            carol.users().delete("bob").join();
            carol.users().delete("guest").join();
            assertThat(((RelaisException) cause(catchJoin(() -> carol.users().delete("carol").join()))).code())
                    .isEqualTo(ErrorCode.PRECONDITION_FAILED);
        }
        List<String> changes = auditLines("change");
        assertThat(changes).hasSize(5);
        assertThat(changes.get(0)).contains("\"user\":\"guest\"", "\"action\":\"create\"", "\"kind\":\"user\"",
                "\"name\":\"bob\"");
        assertThat(changes.get(2)).contains("\"action\":\"password\"", "\"name\":\"bob\"");
        assertThat(changes.get(3)).contains("\"user\":\"carol\"", "\"action\":\"delete\"", "\"name\":\"bob\"");
        assertThat(auditLines("refused")).hasSize(2).first().asString().contains("\"user\":\"bob\"",
                "\"operation\":\"USER_PUT\"", "\"resource\":\"user 'eve'\"");
    }

    private static Throwable catchJoin(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void shouldEscapeClientStringsWhenTheSessionLogsThem() {
        fixture = new BrokerFixture();
        Logger sessionLog = (Logger) LoggerFactory.getLogger(Session.class);
        Level was = sessionLog.getLevel();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        sessionLog.addAppender(lines);
        sessionLog.setLevel(Level.INFO);
        try (RelaisClient c = RelaisClient.builder().host("127.0.0.1").port(fixture.port())
                .clientName("app\n2026-12-01 INFO connection forged").reconnect(ReconnectPolicy.disabled()).connect()) {
            c.listQueues().join();
        } finally {
            sessionLog.detachAppender(lines);
            sessionLog.setLevel(was);
        }
        String opened = lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("opened from")).findFirst().orElseThrow();
        assertThat(opened).doesNotContain("\n").contains("client 'app\\n2026-12-01 INFO connection forged'");
    }

    @Test
    void shouldLetTheInternalUserInOverLoopbackWithItsInMemoryPassword() {
        fixture = new BrokerFixture();
        Broker.InternalLogin login = fixture.broker().internalLogin();
        assertThat(login.user()).isEqualTo("relais.bridge");
        try (RelaisClient bridge = connect(login.user(), login.password())) {
            assertThat(bridge.listQueues().join()).isNotNull();
        }
        try (RelaisClient admin = connect("guest", "guest")) {
            assertThat(admin.users().list().join()).extracting(UserInfo::name).containsExactly("guest");
        }
    }
}
