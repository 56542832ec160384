package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.security.User;
import io.relais.protocol.sasl.ScramCredential;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BearerTokensTest {
    private final Map<String, User> users = new HashMap<>();
    private final BearerTokens tokens = new BearerTokens(name -> Optional.ofNullable(users.get(name)),
            Duration.ofMinutes(10));
    private final User alice = new User("alice", ScramCredential.create("pw"), Set.of(), false);

    @Test
    void shouldVerifyATokenUntilItExpires() {
        users.put("alice", alice);
        BearerTokens.Issued t = tokens.issue(alice, 1_000);
        assertThat(t.expiresAtMillis()).isEqualTo(1_000 + 600_000);
        assertThat(tokens.verify(t.token(), 2_000)).contains(alice);
        assertThat(tokens.verify(t.token(), t.expiresAtMillis())).isEmpty();
    }

    @Test
    void shouldRefuseATokenWhoseUserChangedPasswordOrWasDeleted() {
        users.put("alice", alice);
        String token = tokens.issue(alice, 1_000).token();
        users.put("alice", new User("alice", ScramCredential.create("other"), Set.of(), false));
        assertThat(tokens.verify(token, 2_000)).isEmpty();
        users.put("alice", alice);
        assertThat(tokens.verify(token, 2_000)).isPresent();
        users.remove("alice");
        assertThat(tokens.verify(token, 2_000)).isEmpty();
    }

    @Test
    void shouldRefuseForgedRevokedAndAnotherRunsTokens() {
        users.put("alice", alice);
        String token = tokens.issue(alice, 1_000).token();
        String[] parts = token.split("\\.");
        assertThat(tokens.verify(parts[0] + "." + (Long.parseLong(parts[1]) + 1) + "." + parts[2], 2_000)).isEmpty();
        assertThat(tokens.verify("x.y", 2_000)).isEmpty();
        assertThat(tokens.verify("!!.1.2", 2_000)).isEmpty();
        BearerTokens otherRun = new BearerTokens(name -> Optional.ofNullable(users.get(name)), Duration.ofMinutes(10));
        assertThat(otherRun.verify(token, 2_000)).as("another key").isEmpty();
        assertThat(tokens.revoke(token, 2_000)).isTrue();
        assertThat(tokens.verify(token, 2_000)).isEmpty();
        assertThat(tokens.revokedCount()).isEqualTo(1);
        tokens.revoke(tokens.issue(alice, 700_000).token(), 700_000);
        assertThat(tokens.revokedCount()).as("the expired revocation is forgotten").isEqualTo(1);
    }
}
