package io.relais.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable user database: first start, changes at run time, the file and what it does not contain. */
class UserDatabaseTest {
    @TempDir
    Path dir;

    private static Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            return ((CoreException) e.getCause()).reason();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void shouldCreateGuestAsALoopbackOnlyAdministratorWhenTheDatabaseIsNew() {
        try (UserDatabase db = UserDatabase.open(dir, AuthConfig.DEFAULTS)) {
            User guest = db.user("guest").orElseThrow();
            assertThat(guest.administrator()).isTrue();
            assertThat(guest.loopbackOnly()).isTrue();
            assertThat(guest.credential().matches(Scram.saltedPassword("guest", guest.credential().salt(),
                    guest.credential().iterations()))).isTrue();
            assertThat(guest.credential().iterations()).isGreaterThanOrEqualTo(4096);
        }
        assertThat(dir.resolve("users.db")).exists();
    }

    @Test
    void shouldKeepChangesAndIgnoreTheSeedListWhenReopened() throws Exception {
        String password = "s3cret-Pässwörd";
        try (UserDatabase db = UserDatabase.open(dir, AuthConfig.DEFAULTS)) {
            db.create("alice", ScramCredential.create(password), Set.of(User.MONITORING), false).join();
            db.setTags("alice", Set.of(User.ADMINISTRATOR)).join();
        }
        AuthConfig otherSeeds = AuthConfig.DEFAULTS.withUsers(Map.of("mallory", "x"), false);
        try (UserDatabase db = UserDatabase.open(dir, otherSeeds)) {
            assertThat(db.list()).extracting(User::name).containsExactly("alice", "guest");
            User alice = db.user("alice").orElseThrow();
            assertThat(alice.tags()).containsExactly(User.ADMINISTRATOR);
            assertThat(alice.credential().matches(Scram.saltedPassword(password, alice.credential().salt(), 4096)))
                    .isTrue();
        }
        byte[] file = Files.readAllBytes(dir.resolve("users.db"));
        String asText = new String(file, StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain(password).doesNotContain(new String(password.getBytes(
                StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)).doesNotContain("mallory");
    }

    @Test
    void shouldRefuseToDeleteItselfOrTheLastAdministratorAndToTakeAReservedName() {
        try (UserDatabase db = UserDatabase.open(dir, AuthConfig.DEFAULTS)) {
            ScramCredential c = ScramCredential.create("pw");
            db.create("bob", c, Set.of(), false).join();
            assertThat(reasonOf(() -> db.delete("guest", "guest").join())).isEqualTo(Reason.PRECONDITION_FAILED);
            assertThat(reasonOf(() -> db.delete("guest", "bob").join())).as("last administrator")
                    .isEqualTo(Reason.PRECONDITION_FAILED);
            assertThat(reasonOf(() -> db.setTags("guest", Set.of()).join())).isEqualTo(Reason.PRECONDITION_FAILED);
            assertThat(reasonOf(() -> db.create("bob", c, Set.of(), false).join())).isEqualTo(Reason.PRECONDITION_FAILED);
            assertThat(reasonOf(() -> db.create("relais.x", c, Set.of(), false).join()))
                    .isEqualTo(Reason.PRECONDITION_FAILED);
            assertThat(reasonOf(() -> db.create("eve", c, Set.of("root"), false).join()))
                    .isEqualTo(Reason.INVALID_ARGUMENT);
            assertThat(reasonOf(() -> db.delete("nobody", "guest").join())).isEqualTo(Reason.NOT_FOUND);
            db.setTags("bob", Set.of(User.ADMINISTRATOR)).join();
            db.delete("guest", "bob").join();
            assertThat(db.user("guest")).isEmpty();
        }
    }

    @Test
    void shouldTellListenersWhenAUserIsDeleted() {
        try (UserDatabase db = UserDatabase.open(dir, AuthConfig.DEFAULTS)) {
            List<String> deleted = new ArrayList<>();
            db.onDeleted(deleted::add);
            db.create("bob", ScramCredential.create("pw"), Set.of(), false).join();
            db.delete("bob", "guest").join();
            assertThat(deleted).containsExactly("bob");
        }
    }

    @Test
    void shouldRefuseToStartWhenTheFileIsCorruptRatherThanRecreateGuest() throws Exception {
        UserDatabase.open(dir, AuthConfig.DEFAULTS).close();
        Path file = dir.resolve("users.db");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> UserDatabase.open(dir, AuthConfig.DEFAULTS)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void shouldRefuseAnEmptySeedListWhenItWouldCreateADatabaseNobodyCanUse() {
        assertThatThrownBy(() -> UserDatabase.open(dir, AuthConfig.DEFAULTS.withUsers(Map.of(), false)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.users");
    }

    @Test
    void shouldKeepInternalUsersInMemoryOnlyAndUnlisted() throws Exception {
        try (UserDatabase db = UserDatabase.open(dir, AuthConfig.DEFAULTS)) {
            db.addInternal("relais.bridge", ScramCredential.create("pw"), Set.of());
            assertThat(db.user("relais.bridge")).get().extracting(User::loopbackOnly).isEqualTo(true);
            assertThat(db.list()).extracting(User::name).containsExactly("guest");
            db.create("bob", ScramCredential.create("pw"), Set.of(), false).join();
        }
        assertThat(new String(Files.readAllBytes(dir.resolve("users.db")), StandardCharsets.ISO_8859_1))
                .doesNotContain("relais.bridge");
    }
}
