package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.OwnerLoop;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.queue.Backlog;
import io.relais.broker.core.queue.BacklogListener;
import io.relais.broker.core.queue.MemoryBacklog;
import io.relais.broker.core.queue.Message;
import io.relais.broker.core.queue.MessageQueue;
import io.relais.broker.core.queue.StoreWaiter;
import io.relais.broker.core.queue.TestLoop;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The changes of one queue name run in line, each after the store work of the one before, while
 * other names go on; every change completes, whatever its store does. Runs the topology on a real
 * definitions thread over a storage whose deletions the test finishes by hand.
 */
class TopologySerializationTest {
    private static final Caller GUEST = new Caller("guest", Names.DEFAULT_VHOST, "c-1");

    private final TestLoop loop = new TestLoop();
    private final ExecutorService definitions = Executors.newSingleThreadExecutor();
    private final GatedStorage storage = new GatedStorage();
    private final Topology topology = new Topology(Names.DEFAULT_VHOST, definitions, () -> loop,
            new MemoryDefinitions(), storage, AccessControl.PERMIT_ALL, FlowLimits.DEFAULTS);

    @AfterEach
    void stop() {
        storage.releaseAll();
        definitions.shutdownNow();
        loop.close();
    }

    /** Keeps the definitions in memory. */
    private static final class MemoryDefinitions implements DefinitionsRepository {
        private volatile Definitions saved = Definitions.EMPTY;

        @Override
        public Definitions load() {
            return saved;
        }

        @Override
        public void save(Definitions definitions) {
            saved = definitions;
        }

        @Override
        public String location() {
            return "memory";
        }
    }

    /**
     * Stores that say when one is opened twice or while being deleted; a deletion ends when the
     * test releases it. Thread-safe.
     */
    private static final class GatedStorage implements QueueStorage {
        final Set<String> open = ConcurrentHashMap.newKeySet();
        final Map<String, CompletableFuture<Void>> deleting = new ConcurrentHashMap<>();
        final List<String> opened = Collections.synchronizedList(new ArrayList<>());
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<Error> failNextOpen = new AtomicReference<>();
        final AtomicReference<RuntimeException> failNextDelete = new AtomicReference<>();

        @Override
        public Backlog open(String vhost, String name) {
            Error failure = failNextOpen.getAndSet(null);
            if (failure != null) {
                throw failure;
            }
            if (deleting.containsKey(name)) {
                violations.add("'" + name + "' opened while its namesake's store was being deleted");
            }
            if (!open.add(name)) {
                violations.add("'" + name + "' opened twice");
            }
            opened.add(name);
            return new GatedBacklog(name, this);
        }

        @Override
        public void retainOnly(String vhost, Set<String> names) {
        }

        long opens(String name) {
            return opened.stream().filter(name::equals).count();
        }

        /** Waits until the store of {@code name} is being deleted. */
        void awaitDeleting(String name) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!deleting.containsKey(name)) {
                assertThat(System.nanoTime()).as("deletion of '%s' started", name).isLessThan(deadline);
                Thread.sleep(5);
            }
        }

        /** The deletion of {@code name}'s store ends. */
        void release(String name) {
            CompletableFuture<Void> gate = deleting.remove(name);
            assertThat(gate).as("a deletion of '%s' under way", name).isNotNull();
            gate.complete(null);
        }

        void releaseAll() {
            for (String name : List.copyOf(deleting.keySet())) {
                release(name);
            }
        }
    }

    /** A backlog in memory that stands for a store: deleting it waits for the test. */
    private static final class GatedBacklog implements Backlog {
        private final String name;
        private final GatedStorage storage;
        private final MemoryBacklog memory = new MemoryBacklog();

        GatedBacklog(String name, GatedStorage storage) {
            this.name = name;
            this.storage = storage;
        }

        @Override
        public boolean storesMessages() {
            return true;
        }

        @Override
        public long recoveredCount() {
            return 0;
        }

        @Override
        public long recoveredBytes() {
            return 0;
        }

        @Override
        public void start(BacklogListener listener, OwnerLoop owner) {
            memory.start(listener, owner);
        }

        @Override
        public void offer(Message message, StoreWaiter waiter) {
            memory.offer(message, waiter);
        }

        @Override
        public Message peek() {
            return memory.peek();
        }

        @Override
        public boolean headRedelivered() {
            return memory.headRedelivered();
        }

        @Override
        public Message poll() {
            return memory.poll();
        }

        @Override
        public void delivering(Message message) {
            memory.delivering(message);
        }

        @Override
        public void settle(Message message) {
            memory.settle(message);
        }

        @Override
        public void endOfBatch() {
            memory.endOfBatch();
        }

        @Override
        public long memoryBytes() {
            return memory.memoryBytes();
        }

        @Override
        public CompletableFuture<Purged> purgeUnread() {
            return memory.purgeUnread();
        }

        @Override
        public CompletableFuture<Void> close() {
            storage.open.remove(name);
            return memory.close();
        }

        @Override
        public CompletableFuture<Void> delete() {
            storage.open.remove(name);
            RuntimeException failure = storage.failNextDelete.getAndSet(null);
            if (failure != null) {
                throw failure;
            }
            CompletableFuture<Void> gate = new CompletableFuture<>();
            if (storage.deleting.putIfAbsent(name, gate) != null) {
                storage.violations.add("'" + name + "' deleted twice at once");
            }
            return memory.delete().thenCompose(ok -> gate);
        }
    }

    private CompletableFuture<MessageQueue> declareDurable(String name) {
        return topology.declareQueue(GUEST, name, true, false, false, false, Map.of(), null);
    }

    private static <T> T within(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not complete within 5 s", e);
        }
    }

    private static void stillWaiting(CompletableFuture<?> f, String what) throws InterruptedException {
        Thread.sleep(200);
        assertThat(f).as(what).isNotDone();
    }

    @Test
    void shouldDeclareANamesakeOnlyOnceTheDeletedStoreIsGoneWhileOtherQueuesGoOn() throws Exception {
        within(declareDurable("a"), "the first declare of 'a'");
        CompletableFuture<Long> deleted = topology.deleteQueue(GUEST, "a", false, false);
        storage.awaitDeleting("a");
        CompletableFuture<MessageQueue> again = declareDurable("a");
        CompletableFuture<Void> bound = topology.bind(GUEST, "a", "", "k");
        CompletableFuture<Long> deletedAgain = topology.deleteQueue(GUEST, "a", false, false);

        // Another queue is not held up by the deletion under way (the definitions thread does not wait).
        within(declareDurable("b"), "the declare of 'b' while the store of 'a' is being deleted");
        within(topology.bind(GUEST, "b", "", "k"), "a bind of 'b'");

        stillWaiting(deleted, "the delete of 'a', its store not yet gone");
        stillWaiting(again, "the declare of 'a' behind the delete");
        stillWaiting(bound, "the bind of 'a' behind the declare");
        assertThat(storage.opens("a")).as("stores of 'a' opened").isEqualTo(1);

        storage.release("a");
        assertThat(within(deleted, "the delete of 'a'")).isZero();
        assertThat(within(again, "the declare of 'a' after the delete").name()).isEqualTo("a");
        // Succeeded (no NOT_FOUND): it ran after the declare, on the new queue.
        within(bound, "the bind of 'a'");
        storage.awaitDeleting("a");
        stillWaiting(deletedAgain, "the second delete of 'a', its store not yet gone");
        storage.release("a");
        within(deletedAgain, "the second delete of 'a'");
        assertThat(topology.queue("a")).isNull();
        assertThat(storage.opens("a")).as("stores of 'a' opened").isEqualTo(2);
        assertThat(storage.violations).isEmpty();
    }

    @Test
    void shouldAnswerADeclareAndGoOnWhenOpeningTheStoreThrowsAnError() throws Exception {
        storage.failNextOpen.set(new InternalError("a fault occurred in a recent unsafe memory access"));
        Throwable failure = catchThrowable(() -> within(declareDurable("c"), "the declare whose store open failed"));
        assertThat(failure).isInstanceOf(ExecutionException.class).cause().isInstanceOf(CoreException.class)
                .satisfies(e -> assertThat(((CoreException) e).reason()).isEqualTo(Reason.STORE_FAILED))
                .hasMessageContaining("a fault occurred");
        assertThat(topology.queue("c")).isNull();

        MessageQueue c = within(declareDurable("c"), "the declare of 'c' after the failed one");
        assertThat(c.name()).isEqualTo("c");
        within(declareDurable("d"), "a declare of another queue");
        assertThat(storage.violations).isEmpty();
    }

    @Test
    void shouldAnswerADeleteAndOpenTheNamesakeWhenDeletingTheStoreFails() throws Exception {
        within(declareDurable("e"), "the declare of 'e'");
        storage.failNextDelete.set(new IllegalStateException("injected: the store cannot be deleted"));
        within(topology.deleteQueue(GUEST, "e", false, false), "the delete whose store deletion failed");
        assertThat(topology.queue("e")).isNull();

        within(declareDurable("e"), "the declare of 'e' after the failed deletion");
        assertThat(storage.opens("e")).isEqualTo(2);
    }

    @Test
    void shouldRunAPurgeAndADeleteOfOneQueueInTheOrderAsked() throws Exception {
        within(declareDurable("f"), "the declare of 'f'");
        CompletableFuture<Long> deleted = topology.deleteQueue(GUEST, "f", false, false);
        CompletableFuture<Long> purged = topology.purgeQueue(GUEST, "f");
        storage.awaitDeleting("f");
        stillWaiting(purged, "the purge behind the delete");
        storage.release("f");
        within(deleted, "the delete of 'f'");
        Throwable failure = catchThrowable(() -> within(purged, "the purge of the deleted 'f'"));
        assertThat(failure).as("a purge after the delete finds no queue").isInstanceOf(ExecutionException.class)
                .hasMessageContaining("no queue 'f'");
    }

    @Test
    void shouldGiveAnExclusiveQueueToAnotherConnectionOnlyOnceTheClosedOwnersQueueIsDeleted() throws Exception {
        Caller first = new Caller("guest", Names.DEFAULT_VHOST, "c-9");
        Caller second = new Caller("guest", Names.DEFAULT_VHOST, "c-10");
        MessageQueue mine = within(topology.declareQueue(first, "x", false, true, false, false, Map.of(), null),
                "the exclusive declare");
        CompletableFuture<Void> closed = topology.connectionClosed("c-9");
        MessageQueue theirs = within(topology.declareQueue(second, "x", false, true, false, false, Map.of(), null),
                "the declare of the same name by another connection");
        assertThat(closed).as("the deletion of the closed connection's queue").isDone();
        assertThat(mine.deleted()).isTrue();
        assertThat(theirs.ownerConnectionId()).isEqualTo("c-10");
        assertThat(topology.queue("x")).isSameAs(theirs);
    }

    @Test
    void shouldCloseOnlyOnceTheDeletionsAndDeclaresUnderWayHaveFinished() throws Exception {
        within(declareDurable("g"), "the declare of 'g'");
        CompletableFuture<Long> deleted = topology.deleteQueue(GUEST, "g", false, false);
        storage.awaitDeleting("g");
        CompletableFuture<MessageQueue> again = declareDurable("g");
        CompletableFuture<Void> closed = topology.closeAll();
        stillWaiting(closed, "the shutdown while 'g' is being deleted");
        storage.release("g");
        within(deleted, "the delete");
        MessageQueue g = within(again, "the declare behind the delete");
        within(closed, "the shutdown");
        assertThat(g.deleted()).as("the queue declared before the shutdown is closed").isTrue();
        assertThat(storage.open).as("stores left open").isEmpty();
    }
}
