package io.relais.broker.core.vhost;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.core.routing.ChangeListener;
import io.relais.broker.core.routing.Topology;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's virtual hosts: name to {@link Topology}, each with its own durable definitions and
 * queue stores, created and deleted at run time; the set of names is durable
 * ({@link VhostRepository}). The default virtual host {@value Names#DEFAULT_VHOST} always exists
 * and cannot be deleted.
 *
 * <p>Threading: {@link #get} is a lock-free read of a concurrent map, made once per connection (in
 * the handshake), never per message: a session keeps its topology. Creation and deletion run on the
 * owner executor (the definitions thread that the topologies share, never a network loop), one at a
 * time; the set of names is saved there before the change takes effect.
 */
public final class VirtualHosts {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualHosts.class);

    private final Map<String, Topology> hosts = new ConcurrentHashMap<>();
    /** Names whose files are being deleted: not created again until they are gone. Owner thread. */
    private final Set<String> deleting = new HashSet<>();
    private final VhostRepository repository;
    private final VhostStorage storage;
    private final Executor owner;
    private final Supplier<OwnerLoop> loops;
    private final AccessControl access;
    private final FlowLimits flowLimits;
    private final ChangeListener changes;
    /** Queues each virtual host may hold; 0 for no limit. */
    private final int maxQueues;

    /**
     * @param repository where the set of names is kept
     * @param storage where each virtual host keeps its definitions and queues
     * @param owner the thread every change runs on, shared with the topologies
     * @param loops picks the loop that owns a new queue
     * @param access the check every topology makes
     * @param flowLimits the flow-control defaults of {@code block} queues
     * @param maxQueues queues each virtual host may hold ({@code limits.max-queues-per-vhost}); 0 for no limit
     * @param changes told of every topology's changes
     */
    public VirtualHosts(VhostRepository repository, VhostStorage storage, Executor owner, Supplier<OwnerLoop> loops,
                        AccessControl access, FlowLimits flowLimits, int maxQueues, ChangeListener changes) {
        this.repository = repository;
        this.maxQueues = maxQueues;
        this.storage = storage;
        this.owner = owner;
        this.loops = loops;
        this.access = access;
        this.flowLimits = flowLimits;
        this.changes = changes;
    }

    /**
     * Loads the set of names (on a first start, only the default virtual host, which is then saved)
     * and recovers each virtual host's topology. Call once, before serving clients, on any one thread.
     *
     * @throws CoreException with {@code STORE_FAILED} if the names or a virtual host's durable state
     *     cannot be read
     */
    public void recover() {
        Set<String> names = repository.load();
        if (names == null || !names.contains(Names.DEFAULT_VHOST)) {
            Set<String> withDefault = new TreeSet<>(names == null ? Set.of() : names);
            withDefault.add(Names.DEFAULT_VHOST);
            repository.save(withDefault);
            names = withDefault;
        }
        for (String name : names) {
            Topology t = topology(name);
            t.recover();
            hosts.put(name, t);
        }
    }

    private Topology topology(String name) {
        return new Topology(name, owner, loops, storage.definitions(name), storage.queues(name), access, flowLimits,
                maxQueues, changes);
    }

    /** The virtual host {@code name}, or null. Lock-free; any thread. */
    public Topology get(String name) {
        return hosts.get(name);
    }

    /** The default virtual host. */
    public Topology defaultHost() {
        return hosts.get(Names.DEFAULT_VHOST);
    }

    /** Every virtual host; a weakly consistent view. */
    public Collection<Topology> all() {
        return hosts.values();
    }

    /** The names, sorted. */
    public List<String> names() {
        return new ArrayList<>(new TreeSet<>(hosts.keySet()));
    }

    /** Refuses a name that is empty, longer than {@value Names#MAX_NAME_BYTES} bytes, or holds control characters. */
    public static void checkName(String name) {
        if (name.isEmpty()) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "a virtual host name must not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Names.MAX_NAME_BYTES) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "virtual host name is longer than "
                    + Names.MAX_NAME_BYTES + " bytes");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "a virtual host name must not contain control "
                    + "characters");
        }
    }

    /** Creates virtual host {@code name}; completes with false if it existed already (nothing changes). */
    public CompletableFuture<Boolean> create(String name) {
        return onOwner(() -> {
            checkName(name);
            if (hosts.containsKey(name)) {
                return false;
            }
            if (deleting.contains(name)) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "virtual host '" + name
                        + "' is being deleted; try again in a moment");
            }
            Set<String> names = new TreeSet<>(hosts.keySet());
            names.add(name);
            Topology t = topology(name);
            t.recover();
            repository.save(names);
            hosts.put(name, t);
            LOG.info("virtual host '{}' created", name);
            return true;
        });
    }

    /**
     * Deletes virtual host {@code name}: it is gone at once for new connections (and the set of names
     * saved without it), {@code beforeDelete} runs (it closes the connections in it), then every
     * queue and exchange is deleted with their files. Completes when the files are gone.
     *
     * @throws CoreException (in the future) NOT_FOUND for an unknown name, PRECONDITION_FAILED for the
     *     default virtual host
     */
    public CompletableFuture<Void> delete(String name, Consumer<String> beforeDelete) {
        return onOwner(() -> {
            if (Names.DEFAULT_VHOST.equals(name)) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "the default virtual host '"
                        + Names.DEFAULT_VHOST + "' cannot be deleted");
            }
            Topology t = hosts.get(name);
            if (t == null) {
                throw new CoreException(Reason.NOT_FOUND, "no virtual host '" + name + "'");
            }
            Set<String> names = new TreeSet<>(hosts.keySet());
            names.remove(name);
            repository.save(names);
            hosts.remove(name, t);
            deleting.add(name);
            beforeDelete.accept(name);
            return t;
        }).thenCompose(Topology::deleteAll).thenRunAsync(() -> {
            try {
                storage.delete(name);
            } finally {
                deleting.remove(name);
            }
            LOG.info("virtual host '{}' deleted", name);
        }, owner);
    }

    private <T> CompletableFuture<T> onOwner(Supplier<T> change) {
        CompletableFuture<T> done = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                done.complete(change.get());
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
