package io.relais.broker.store;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import io.relais.broker.core.routing.DefinitionsRepository;
import io.relais.broker.core.routing.QueueStorage;
import io.relais.broker.core.vhost.VhostStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The virtual hosts' storage on disk. The default virtual host {@value Names#DEFAULT_VHOST} keeps
 * the layout of a broker without virtual hosts: {@code DATA/definitions.rdf} and {@code DATA/queues/}.
 * Every other one has a directory of its own, {@code DATA/vhosts/<name>-<hash>/} (the name with
 * characters other than letters, digits, '.', '_' and '-' replaced, and 16 hex digits of its
 * SHA-256, as queue directories are named), holding its own {@code definitions.rdf} and
 * {@code queues/}. Called on the definitions thread and at start-up.
 */
public final class DiskVhostStorage implements VhostStorage {
    /** The directory under the data directory that holds the virtual hosts other than the default one. */
    public static final String VHOSTS_DIR = "vhosts";

    private final Path dataDir;
    private final FsyncPolicy fsync;
    private final WriteBehind writeBehind;
    private final StoreThreads threads;
    private final DiskSpace space;
    private final StoreFaults faults;

    /** The storage of the broker whose data directory is {@code dataDir}. */
    public DiskVhostStorage(Path dataDir, FsyncPolicy fsync, StoreThreads threads, DiskSpace space, StoreFaults faults) {
        this(dataDir, fsync, WriteBehind.OFF, threads, space, faults);
    }

    /** As above, with durable queues that write behind their deliveries ({@link WriteBehind}). */
    public DiskVhostStorage(Path dataDir, FsyncPolicy fsync, WriteBehind writeBehind, StoreThreads threads,
                            DiskSpace space, StoreFaults faults) {
        this.writeBehind = writeBehind;
        this.dataDir = dataDir;
        this.fsync = fsync;
        this.threads = threads;
        this.space = space;
        this.faults = faults;
    }

    /** The directory that holds {@code vhost}'s definitions and queues. */
    public Path directory(String vhost) {
        return Names.DEFAULT_VHOST.equals(vhost) ? dataDir
                : MessageStore.directoryFor(dataDir.resolve(VHOSTS_DIR), vhost);
    }

    @Override
    public DefinitionsRepository definitions(String vhost) {
        return new DiskDefinitions(directory(vhost), space, faults);
    }

    @Override
    public QueueStorage queues(String vhost) {
        return new DiskQueueStorage(directory(vhost), fsync, writeBehind, threads, space);
    }

    @Override
    public void delete(String vhost) {
        if (Names.DEFAULT_VHOST.equals(vhost)) {
            throw new IllegalArgumentException("the default virtual host's directory is the data directory");
        }
        Path dir = directory(vhost);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            MessageStore.deleteFiles(dir);
        } catch (IOException e) {
            throw new CoreException(Reason.STORE_FAILED, "could not delete " + dir + ", the directory of virtual "
                    + "host '" + vhost + "': " + e);
        }
    }
}
