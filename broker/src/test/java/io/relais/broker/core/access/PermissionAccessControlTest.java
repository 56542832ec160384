package io.relais.broker.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The permission table's answers, with RabbitMQ's meaning of the expressions, and its generations. */
class PermissionAccessControlTest {
    private final List<List<UserPermission>> saved = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private final PermissionRepository memory = new PermissionRepository() {
        @Override
        public List<UserPermission> load() {
            return saved.isEmpty() ? null : saved.get(saved.size() - 1);
        }

        @Override
        public void save(List<UserPermission> permissions) {
            saved.add(List.copyOf(permissions));
        }
    };
    private final PermissionAccessControl access = new PermissionAccessControl(memory, Runnable::run,
            (caller, operation, resource, reason) -> refusals.add(operation + " " + resource));

    @Test
    void shouldMatchAnywhereInTheNameWhenTheExpressionIsNotAnchored() {
        Permission p = new Permission("alice", "^alice\\.", "^alice\\.q$", "", "");
        assertThat(p.allows(Access.CONFIGURE, "bob.alice.q")).isTrue();
        assertThat(p.allows(Access.WRITE, "alice.x")).isTrue();
        assertThat(p.allows(Access.WRITE, "bob.alice.x")).isFalse();
        assertThat(p.allows(Access.READ, "alice.q")).isTrue();
        assertThat(p.allows(Access.READ, "alice.q2")).isFalse();
    }

    @Test
    void shouldAllowNothingWhenAnExpressionIsEmptyButRestrictNoKeyWhenATopicExpressionIs() {
        Permission p = new Permission("", "", "", "", "");
        assertThat(p.allows(Access.CONFIGURE, "")).isFalse();
        assertThat(p.allows(Access.READ, "anything")).isFalse();
        assertThat(p.allowsTopic(Access.WRITE, "any.key")).isTrue();
        assertThat(new Permission(".*", ".*", ".*", "^eu\\.", "").allowsTopic(Access.WRITE, "us.ny")).isFalse();
    }

    @Test
    void shouldNameTheExpressionWhenItIsNotValid() {
        assertThatThrownBy(() -> new Permission(".*", "[", ".*", "", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the write expression '[' is not a valid regular expression");
    }

    @Test
    void shouldGiveSeedUsersFullPermissionsOnlyWhenNothingWasSavedBefore() {
        assertThat(access.recover(List.of("guest"))).isTrue();
        assertThat(access.permission("guest", "/")).isEqualTo(Permission.FULL);
        access.clear("guest", "/").join();
        PermissionAccessControl again = new PermissionAccessControl(memory, Runnable::run, RefusalListener.NONE);
        assertThat(again.recover(List.of("guest"))).isFalse();
        assertThat(again.permission("guest", "/")).isNull();
    }

    @Test
    void shouldChangeTheGenerationAndTheAnswersWhenAPermissionIsSetOrCleared() {
        access.recover(List.of());
        Caller alice = new Caller("alice", "/", "c-1");
        long before = access.generation();
        assertThat(access.permits("alice", "/", ResourceKind.QUEUE, "q", Access.READ)).isFalse();
        access.set("alice", "/", new Permission("", "", "^q$", "", "")).join();
        assertThat(access.generation()).isGreaterThan(before);
        assertThat(access.permits("alice", "/", ResourceKind.QUEUE, "q", Access.READ)).isTrue();
        assertThat(access.permits("alice", "other", ResourceKind.QUEUE, "q", Access.READ)).isFalse();
        assertThatThrownBy(() -> access.check(alice, ResourceKind.QUEUE, "q", Access.CONFIGURE))
                .isInstanceOf(CoreException.class)
                .hasMessage("user 'alice' may not configure queue 'q' in vhost '/'")
                .satisfies(e -> assertThat(((CoreException) e).reason()).isEqualTo(Reason.ACCESS_REFUSED));
        assertThat(refusals).containsExactly("configure queue 'q'");
        long set = access.generation();
        assertThat(access.clear("nobody", "/").join()).isFalse();
        assertThat(access.generation()).as("nothing changed").isEqualTo(set);
        assertThat(access.clearUser("alice").join()).isTrue();
        assertThat(access.list(null)).isEmpty();
        assertThat(saved.get(saved.size() - 1)).isEmpty();
    }

    @Test
    void shouldGiveATopicRuleOnlyWhenTheTopicExpressionRestrictsSomething() {
        access.recover(List.of());
        access.set("a", "/", new Permission(".*", ".*", ".*", "", "")).join();
        access.set("b", "/", new Permission(".*", ".*", ".*", "^eu\\.", "")).join();
        assertThat(access.topicRule("a", "/", Access.WRITE)).isNull();
        assertThat(access.topicRule("b", "/", Access.WRITE).test("eu.fr")).isTrue();
        assertThat(access.topicRule("b", "/", Access.WRITE).test("us.ny")).isFalse();
        assertThat(access.topicRule("nobody", "/", Access.WRITE).test("eu.fr")).isFalse();
    }
}
