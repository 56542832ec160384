package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.Broker;
import io.relais.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relais user add|list|passwd|delete} as separate processes against a real broker, passwords on
 * standard input: the forms scripts rely on, their output, and exit status 1 with the broker's message on a
 * refusal.
 */
class UserCommandEndToEndTest {
    private static Broker broker;
    private static String server;
    private static Path dataDir;

    @BeforeAll
    static void startBroker(@TempDir Path dir) {
        dataDir = dir;
        broker = Broker.start(BrokerConfig.defaults().withPort(0).withDataDir(dir));
        server = "127.0.0.1:" + broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static CliProcess relais(String stdin, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = server;
        CliProcess p = CliProcess.start(all);
        p.writeStdin(stdin);
        p.waitFor();
        return p;
    }

    @Test
    void shouldAddListChangeAndDeleteUsersWhenRunAsAnAdministrator() throws Exception {
        CliProcess add = relais("alice-pw-1\n", "user", "add", "alice", "--password-stdin", "--tag", "administrator");
        assertThat(add.exitCode()).as(add.stderr()).isZero();
        assertThat(add.stdout()).isEqualTo("added user 'alice' (tags: administrator)\n");

        CliProcess list = relais("", "user", "list", "--user", "alice", "--password", "alice-pw-1");
        assertThat(list.exitCode()).as(list.stderr()).isZero();
        assertThat(list.stdout()).containsPattern("(?m)^alice +administrator +no$")
                .containsPattern("(?m)^guest +administrator +yes$");

        // Without --password-stdin and without a terminal: one line of standard input.
        CliProcess passwd = relais("alice-pw-2\n", "user", "passwd", "alice");
        assertThat(passwd.exitCode()).as(passwd.stderr()).isZero();
        assertThat(passwd.stdout()).isEqualTo("changed the password of user 'alice'\n");
        CliProcess old = relais("", "user", "list", "--user", "alice", "--password", "alice-pw-1");
        assertThat(old.exitCode()).isEqualTo(1);
        assertThat(old.stderr()).contains("authentication failed for user 'alice'", "AUTHENTICATION_FAILED, 2006");

        CliProcess delete = relais("", "user", "delete", "alice", "--user", "alice", "--password", "alice-pw-2");
        assertThat(delete.exitCode()).isEqualTo(1);
        assertThat(delete.stderr()).contains("user 'alice' may not delete itself");
        delete = relais("", "user", "delete", "alice");
        assertThat(delete.exitCode()).as(delete.stderr()).isZero();
        assertThat(delete.stdout()).isEqualTo("deleted user 'alice'\n");

        byte[] file = Files.readAllBytes(dataDir.resolve("users.db"));
        assertThat(new String(file, StandardCharsets.ISO_8859_1)).doesNotContain("alice-pw");
    }

    @Test
    void shouldExitWithStatusOneAndTheBrokersMessageWhenTheUserIsNoAdministrator() {
        assertThat(relais("bob-pw\n", "user", "add", "bob", "--password-stdin").exitCode()).isZero();
        CliProcess refused = relais("x\n", "user", "add", "eve", "--password-stdin", "--user", "bob",
                "--password", "bob-pw");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).isEqualTo("relais: user 'bob' may not USER_PUT 'eve': only users tagged "
                + "administrator may (ACCESS_REFUSED, 1013)\n");
        CliProcess empty = relais("\n", "user", "add", "eve", "--password-stdin");
        assertThat(empty.exitCode()).isEqualTo(1);
        assertThat(empty.stderr()).contains("the password is empty");
    }
}
