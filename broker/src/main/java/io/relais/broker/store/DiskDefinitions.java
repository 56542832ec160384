package io.relais.broker.store;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.broker.core.routing.Definitions;
import io.relais.broker.core.routing.DefinitionsRepository;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topology's {@link DefinitionsRepository} on disk: a {@link DefinitionsStore} in the data
 * directory, its failures reported as {@link Reason#STORE_FAILED}. Called on the topology's thread.
 */
public final class DiskDefinitions implements DefinitionsRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DiskDefinitions.class);
    private final DefinitionsStore store;

    /** The definitions of the broker whose data directory is {@code dataDir}. */
    public DiskDefinitions(Path dataDir) {
        this.store = new DefinitionsStore(dataDir);
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
        try {
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
