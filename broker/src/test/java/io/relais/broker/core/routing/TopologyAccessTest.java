package io.relais.broker.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.relais.broker.core.queue.FlowLimits;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import io.relais.broker.core.access.Access;
import io.relais.broker.core.access.AccessControl;
import io.relais.broker.core.access.Caller;
import io.relais.broker.core.access.ResourceKind;
import io.relais.broker.core.queue.Backlog;
import io.relais.broker.core.queue.TestLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every operation of the topology and the router passes the access check, and a refusal names who and what. */
class TopologyAccessTest {
    private final TestLoop loop = new TestLoop();
    private final Caller alice = new Caller("alice", Names.DEFAULT_VHOST, "c-1");
    private final List<String> asked = new ArrayList<>();

    /** Remembers what was asked; refuses anything on resources whose name starts with "secret". */
    private final AccessControl secretsRefused = (user, vhost, kind, name, access) -> {
        asked.add(user + " " + access.word() + " " + kind.word() + " " + name);
        return !name.startsWith("secret");
    };

    /** Keeps the definitions in memory. */
    private static final class MemoryDefinitions implements DefinitionsRepository {
        Definitions saved = Definitions.EMPTY;

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

    /** The tests declare no durable queues. */
    private static final QueueStorage NO_STORAGE = new QueueStorage() {
        @Override
        public Backlog open(String vhost, String name) {
            throw new CoreException(Reason.STORE_FAILED, "no storage in this test");
        }

        @Override
        public void retainOnly(String vhost, Set<String> names) {
        }
    };

    @AfterEach
    void stop() {
        loop.close();
    }

    private Topology topology() {
        return new Topology(Names.DEFAULT_VHOST, Runnable::run, () -> loop, new MemoryDefinitions(), NO_STORAGE,
                secretsRefused, FlowLimits.DEFAULTS);
    }

    private static CoreException refusal(Runnable call) {
        Throwable t = catchThrowable(call::run);
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        assertThat(cause).isInstanceOf(CoreException.class);
        return (CoreException) cause;
    }

    @Test
    void shouldRefuseWithWhoAndWhatWhenTheCheckSaysNo() {
        Topology t = topology();
        CoreException e = refusal(() -> t.declareQueue(alice, "secret.q", false, false, false, false, Map.of(), null)
                .join());
        assertThat(e.reason()).isEqualTo(Reason.ACCESS_REFUSED);
        assertThat(e.getMessage()).isEqualTo("user 'alice' may not configure queue 'secret.q' in vhost '/'");
        assertThat(t.queue("secret.q")).isNull();
    }

    @Test
    void shouldAskTheCheckForEveryKindOfOperationWhenAllowed() {
        Topology t = topology();
        t.declareExchange(alice, "ex", "topic", false, false, false).join();
        t.declareQueue(alice, "q", false, false, false, false, Map.of(), null).join();
        t.bind(alice, "q", "ex", "a.*").join();
        t.consumableQueue(alice, "q");
        Router router = new Router(t, alice);
        assertThat(router.route("ex", "a.b")).isEqualTo(1);
        router.clear();
        t.purgeQueue(alice, "q").join();
        t.unbind(alice, "q", "ex", "a.*").join();
        t.deleteQueue(alice, "q", false, false).join();
        t.deleteExchange(alice, "ex", false).join();
        assertThat(asked).containsExactly(
                "alice configure exchange ex",
                "alice configure queue q",
                "alice write queue q", "alice read exchange ex",
                "alice read queue q",
                "alice write exchange ex",
                "alice read queue q",
                "alice write queue q", "alice read exchange ex",
                "alice configure queue q",
                "alice configure exchange ex");
    }

    @Test
    void shouldRefuseAPublishWhenWritingToTheExchangeIsNotAllowed() {
        Topology t = new Topology(Names.DEFAULT_VHOST, Runnable::run, () -> loop, new MemoryDefinitions(),
                NO_STORAGE, (user, vhost, kind, name, access) -> !(kind == ResourceKind.EXCHANGE
                        && access == Access.WRITE), FlowLimits.DEFAULTS);
        Router router = new Router(t, alice);
        assertThatThrownBy(() -> router.route("", "k")).isInstanceOf(CoreException.class)
                .hasMessage("user 'alice' may not write exchange '' in vhost '/'");
    }

    @Test
    void shouldRefuseConsumingWhenReadingTheQueueIsNotAllowed() {
        Topology t = new Topology(Names.DEFAULT_VHOST, Runnable::run, () -> loop, new MemoryDefinitions(),
                NO_STORAGE, (user, vhost, kind, name, access) -> !(kind == ResourceKind.QUEUE
                        && access == Access.READ), FlowLimits.DEFAULTS);
        t.declareQueue(alice, "inbox", false, false, false, false, Map.of(), null).join();
        CoreException e = refusal(() -> t.consumableQueue(alice, "inbox"));
        assertThat(e.reason()).isEqualTo(Reason.ACCESS_REFUSED);
        assertThat(e.getMessage()).isEqualTo("user 'alice' may not read queue 'inbox' in vhost '/'");
    }
}
