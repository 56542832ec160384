package io.relais.broker.store;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.vhost.VhostRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

/**
 * The set of virtual hosts, in {@value #FILE_NAME} in the data directory: a {@link RecordFile} with
 * magic {@code RLVH} whose body is one MessagePack array of the names (str), sorted. The
 * {@link VhostRepository} of the broker; its failures are reported as {@link Reason#STORE_FAILED}.
 * Called on the definitions thread and at start-up.
 */
public final class VhostsFile implements VhostRepository {
    /** Name of the file in the data directory. */
    public static final String FILE_NAME = "vhosts.rvh";
    private final RecordFile file;

    /** The file of the broker whose data directory is {@code dataDir}. */
    public VhostsFile(Path dataDir) {
        this.file = new RecordFile(dataDir.resolve(FILE_NAME), "RLVH", "the virtual hosts file");
    }

    @Override
    public Set<String> load() {
        try {
            byte[] body = file.read();
            if (body == null) {
                return null;
            }
            Set<String> names = new TreeSet<>();
            try (MessageUnpacker in = MessagePack.newDefaultUnpacker(body)) {
                int n = in.unpackArrayHeader();
                for (int i = 0; i < n; i++) {
                    names.add(in.unpackString());
                }
            }
            return names;
        } catch (StoreException e) {
            throw new CoreException(Reason.STORE_FAILED, e.getMessage());
        } catch (IOException | MessagePackException e) {
            throw new CoreException(Reason.STORE_FAILED, "the virtual hosts file " + file.file()
                    + " has an invalid body: " + e.getMessage());
        }
    }

    @Override
    public void save(Set<String> names) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            out.packArrayHeader(names.size());
            for (String name : new TreeSet<>(names)) {
                out.packString(name);
            }
            file.write(out.toByteArray());
        } catch (StoreException e) {
            throw new CoreException(Reason.STORE_FAILED, e.getMessage());
        } catch (IOException e) {
            throw new CoreException(Reason.STORE_FAILED, "cannot encode the virtual hosts: " + e);
        }
    }
}
