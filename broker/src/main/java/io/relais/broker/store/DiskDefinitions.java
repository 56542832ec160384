package io.relais.broker.store;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.routing.Definitions;
import io.relais.broker.core.routing.DefinitionsRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology's {@link DefinitionsRepository} on disk: a {@link DefinitionsStore} in the data
 * directory, its failures reported as {@link Reason#STORE_FAILED}. A save that would leave the disk
 * below its floor ({@link DiskSpace#reserveMetadata}) is refused with {@link Reason#DISK_FULL} before
 * anything is written (the previous file stays; the file is written with plain writes, never mapped,
 * so a full disk makes a save fail, never fault). Called on the topology's thread.
 */
public final class DiskDefinitions implements DefinitionsRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DiskDefinitions.class);
    /** Counted for a save besides twice the current file (the new file is written next to it). */
    private static final long SAVE_BYTES = 64L << 10;
    private final DefinitionsStore store;
    private final DiskSpace space;
    private final StoreFaults faults;

    /** The definitions of the broker whose data directory is {@code dataDir}; no disk limit. */
    public DiskDefinitions(Path dataDir) {
        this(dataDir, DiskSpace.unlimited(), StoreFaults.NONE);
    }

    /** The definitions in {@code dataDir}, saved only if {@code space} has room, injected with {@code faults}. */
    public DiskDefinitions(Path dataDir, DiskSpace space, StoreFaults faults) {
        this.store = new DefinitionsStore(dataDir);
        this.space = space;
        this.faults = faults;
    }

    @Override
    public Definitions load() {
        try {
            return store.load();
        } catch (StoreException e) {
            throw new CoreException(Reason.STORE_FAILED, e.getMessage());
        }
    }

    @Override
    public void save(Definitions definitions) {
        long current;
        try {
            current = Files.size(store.file());
        } catch (IOException e) {
            current = 0;
        }
        if (!space.reserveMetadata(2 * current + SAVE_BYTES)) {
            throw new CoreException(Reason.DISK_FULL, "the broker's disk is full (" + (space.free() >> 10)
                    + " KiB free on " + space.where() + "): the definitions cannot be saved until space is freed");
        }
        try {
            faults.beforeDefinitionsSave();
            store.save(definitions);
        } catch (StoreException e) {
            LOG.error("cannot save the definitions: {}", e.getMessage());
            throw new CoreException(Reason.STORE_FAILED, "the broker could not save its definitions: "
                    + e.getMessage());
        }
    }

    @Override
    public String location() {
        return store.file().toString();
    }
}
