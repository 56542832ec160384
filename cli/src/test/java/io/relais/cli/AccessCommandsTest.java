package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.Broker;
import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.store.StoreFaults;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relais vhost} and {@code relais permissions} as users run them, as separate processes,
 * against a real broker: the first 'Done when' (alice limited to {@code ^alice\.} uses
 * {@code alice.q}, is refused {@code bob.q} with ACCESS_REFUSED and exit status 1, and her other
 * connection goes on), and the virtual host commands. Alice is a user of the broker's
 * configuration ({@code auth.users}); guest is its administrator.
 */
class AccessCommandsTest {
    private static Broker broker;
    private static String server;

    @BeforeAll
    static void startBroker(@TempDir Path dataDir) {
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dataDir)
                .withAuth(AuthConfig.DEFAULTS.withUsers(Map.of("guest", "guest", "alice", "alice-pw"), false)),
                StoreFaults.NONE, "guest"::equals);
        server = "127.0.0.1:" + broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static CliProcess relais(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--server";
        all[args.length + 1] = server;
        return CliProcess.run(all);
    }

    private static CliProcess asAlice(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 4);
        all[args.length] = "--user";
        all[args.length + 1] = "alice";
        all[args.length + 2] = "--password";
        all[args.length + 3] = "alice-pw";
        return relais(all);
    }

    @Test
    void shouldLetAliceUseHerQueueAndRefuseBobsWhenHerPermissionsAreSet() {
        CliProcess set = relais("permissions", "set", "--vhost", "/", "alice", "^alice\\.", "^alice\\.", "^alice\\.");
        assertThat(set.exitCode()).as(set.stderr()).isZero();
        assertThat(set.stdout()).isEqualTo("set permissions of 'alice' in vhost '/': configure '^alice\\.' write "
                + "'^alice\\.' read '^alice\\.'\n");
        assertThat(asAlice("exchange", "declare", "--type", "direct", "alice.x").exitCode()).isZero();
        CliProcess declare = asAlice("queue", "declare", "--bind", "alice.x:jobs", "alice.q");
        assertThat(declare.exitCode()).as(declare.stderr()).isZero();
        try (CliProcess sub = CliProcess.start("sub", "--server", server, "--user", "alice", "--password", "alice-pw",
                "--queue", "alice.q", "--count", "1")) {
            sub.awaitStderr("consuming");
            CliProcess bob = asAlice("queue", "declare", "bob.q");
            assertThat(bob.exitCode()).isEqualTo(1);
            assertThat(bob.stderr()).isEqualTo("relais: user 'alice' may not configure queue 'bob.q' in vhost '/' "
                    + "(ACCESS_REFUSED, 1013)\n");
            CliProcess refusedPub = asAlice("pub", "--confirm", "bob.x", "no");
            assertThat(refusedPub.exitCode()).isEqualTo(1);
            // Her subscription's connection was not affected by the refusals.
            assertThat(asAlice("pub", "--exchange", "alice.x", "jobs", "for alice").exitCode()).isZero();
            assertThat(sub.waitFor()).isZero();
            assertThat(sub.stdout()).isEqualTo("for alice\n");
        }
        CliProcess list = relais("permissions", "list", "--vhost", "/");
        assertThat(list.exitCode()).isZero();
        assertThat(list.stdout()).contains("alice").contains("^alice\\.").contains("guest");
        CliProcess notAdmin = asAlice("vhost", "list");
        assertThat(notAdmin.exitCode()).isEqualTo(1);
        assertThat(notAdmin.stderr()).contains("that needs the administrator tag (ACCESS_REFUSED, 1013)");
    }

    @Test
    void shouldAddListAndDeleteVhostsWhenAnAdministratorAsks() {
        assertThat(relais("vhost", "add", "staging").stdout()).isEqualTo("added vhost 'staging'\n");
        // An administrator may connect to a virtual host it has no permissions in, to administer it, but not use it.
        assertThat(relais("queue", "list", "--vhost", "staging").exitCode()).isZero();
        CliProcess refused = relais("queue", "declare", "--vhost", "staging", "only-here");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("user 'guest' may not configure queue 'only-here' in vhost 'staging'");
        assertThat(relais("permissions", "set", "--vhost", "staging", "guest", ".*", ".*", ".*", "--topic-write",
                "^eu\\.").exitCode()).isZero();
        assertThat(relais("queue", "declare", "--vhost", "staging", "only-here").exitCode()).isZero();
        assertThat(relais("queue", "list", "--vhost", "staging").stdout()).contains("only-here");
        assertThat(relais("queue", "list").stdout()).doesNotContain("only-here");
        CliProcess vhosts = relais("vhost", "list");
        assertThat(vhosts.stdout()).containsPattern("(?m)^staging +1 +0$");
        assertThat(relais("permissions", "list").stdout()).containsPattern("(?m)^guest +staging +\\.\\* +\\.\\* +\\.\\* +"
                + "\\^eu\\\\\\. +''$");
        assertThat(relais("permissions", "clear", "--vhost", "staging", "guest").stdout())
                .isEqualTo("cleared permissions of 'guest' in vhost 'staging'\n");
        assertThat(relais("vhost", "delete", "staging").stdout()).isEqualTo("deleted vhost 'staging'\n");
        CliProcess again = relais("vhost", "delete", "staging");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).isEqualTo("relais: no virtual host 'staging' (NOT_FOUND, 1002)\n");
    }
}
