package io.relais.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.access.Permission;
import io.relais.broker.core.access.UserPermission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The virtual hosts file and the permissions file: what is saved is loaded, and a damaged file is refused. */
class AccessFilesTest {
    @Test
    void shouldLoadWhatWasSavedWhenBothFilesAreWritten(@TempDir Path dir) {
        assertThat(new VhostsFile(dir).load()).isNull();
        assertThat(new PermissionsFile(dir).load()).isNull();
        new VhostsFile(dir).save(Set.of("/", "eu", "é\ttab"));
        List<UserPermission> table = List.of(new UserPermission("alice", "eu",
                new Permission("^a", "", "\\.q$", "^eu\\.", "#")), new UserPermission("guest", "/", Permission.FULL));
        new PermissionsFile(dir).save(table);
        assertThat(new VhostsFile(dir).load()).containsExactly("/", "eu", "é\ttab");
        assertThat(new PermissionsFile(dir).load()).isEqualTo(table);
        assertThat(dir.resolve(PermissionsFile.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void shouldRefuseTheFileWhenOneByteOfItChanged(@TempDir Path dir) throws Exception {
        new PermissionsFile(dir).save(List.of(new UserPermission("guest", "/", Permission.FULL)));
        Path file = dir.resolve(PermissionsFile.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> new PermissionsFile(dir).load()).isInstanceOf(CoreException.class)
                .hasMessageContaining("checksum mismatch");
        Files.write(dir.resolve(VhostsFile.FILE_NAME), new byte[] {'R', 'L', 'D', 'F', 1, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> new VhostsFile(dir).load()).isInstanceOf(CoreException.class)
                .hasMessageContaining("bad magic");
    }

    @Test
    void shouldPutOtherVhostsUnderTheirOwnDirectoryWhenTheDefaultOneUsesTheDataDirectory(@TempDir Path dir) {
        DiskVhostStorage storage = new DiskVhostStorage(dir, FsyncPolicy.DEFAULT, null, DiskSpace.unlimited(),
                StoreFaults.NONE);
        assertThat(storage.directory("/")).isEqualTo(dir);
        assertThat(storage.directory("a/b").getParent()).isEqualTo(dir.resolve("vhosts"));
        assertThat(storage.directory("a/b").getFileName().toString()).startsWith("a_b-");
        assertThat(storage.directory("a/b")).isNotEqualTo(storage.directory("a_b"));
    }
}
