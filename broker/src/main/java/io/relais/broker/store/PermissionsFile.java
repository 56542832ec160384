package io.relais.broker.store;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Permission;
import io.relais.broker.core.access.PermissionRepository;
import io.relais.broker.core.access.UserPermission;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * The permission table, in {@value #FILE_NAME} in the data directory: a {@link RecordFile} with
 * magic {@code RLPM} whose body is one MessagePack array of entries, each
 * {@code [user, vhost, configure, write, read, topic_write, topic_read]} (all str). A reader skips
 * elements of an entry after these seven, so that a later version may append some. The
 * {@link PermissionRepository} of the broker; its failures are reported as
 * {@link Reason#STORE_FAILED}. Called on the definitions thread and at start-up.
 */
public final class PermissionsFile implements PermissionRepository {
    /** Name of the file in the data directory. */
    public static final String FILE_NAME = "permissions.rpm";
    private static final int FIELDS = 7;
    private final RecordFile file;

    /** The file of the broker whose data directory is {@code dataDir}. */
    public PermissionsFile(Path dataDir) {
        this.file = new RecordFile(dataDir.resolve(FILE_NAME), "RLPM", "the permissions file");
    }

    @Override
    public List<UserPermission> load() {
        try {
            byte[] body = file.read();
            if (body == null) {
                return null;
            }
            List<UserPermission> list = new ArrayList<>();
            try (MessageUnpacker in = MessagePack.newDefaultUnpacker(body)) {
                int n = in.unpackArrayHeader();
                for (int i = 0; i < n; i++) {
                    int fields = in.unpackArrayHeader();
                    if (fields < FIELDS) {
                        throw new CoreException(Reason.STORE_FAILED, "the permissions file " + file.file()
                                + " has an entry of " + fields + " fields; restore it from a backup");
                    }
                    String[] f = new String[FIELDS];
                    for (int k = 0; k < FIELDS; k++) {
                        f[k] = in.unpackString();
                    }
                    for (int k = FIELDS; k < fields; k++) {
                        in.skipValue();
                    }
                    list.add(new UserPermission(f[0], f[1], new Permission(f[2], f[3], f[4], f[5], f[6])));
                }
            }
            return list;
        } catch (StoreException e) {
            throw new CoreException(Reason.STORE_FAILED, e.getMessage());
        } catch (IOException | MessagePackException | IllegalArgumentException e) {
            throw new CoreException(Reason.STORE_FAILED, "the permissions file " + file.file()
                    + " has an invalid body: " + e.getMessage());
        }
    }

    @Override
    public void save(List<UserPermission> permissions) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            out.packArrayHeader(permissions.size());
            for (UserPermission e : permissions) {
                Permission p = e.permission();
                out.packArrayHeader(FIELDS);
                out.packString(e.user()).packString(e.vhost()).packString(p.configure()).packString(p.write())
                        .packString(p.read()).packString(p.topicWrite()).packString(p.topicRead());
            }
            file.write(out.toByteArray());
        } catch (StoreException e) {
            throw new CoreException(Reason.STORE_FAILED, e.getMessage());
        } catch (IOException e) {
            throw new CoreException(Reason.STORE_FAILED, "cannot encode the permissions: " + e);
        }
    }
}
