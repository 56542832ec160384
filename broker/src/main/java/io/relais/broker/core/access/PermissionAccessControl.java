package io.relais.broker.core.access;

import io.relais.broker.core.CoreException;
import io.relais.broker.core.Names;
import io.relais.broker.core.Reason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The {@link AccessControl} that enforces the broker's permission table: for each user and virtual
 * host a {@link Permission} (configure, write and read expressions, and topic expressions), with
 * RabbitMQ's meaning. A user without an entry in a virtual host may do nothing there, and may not
 * connect to it.
 *
 * <p>Threading: the table is an immutable snapshot behind a volatile field, so checks are lock-free
 * reads on any thread (the expressions are compiled once, in {@link Permission}). Changes run on
 * the owner executor (the definitions thread, never a network loop), one at a time: each one saves
 * the new table in the {@link PermissionRepository} before publishing it, then increments
 * {@link #generation()}, which tells publishers that cached an answer to ask again.
 */
public final class PermissionAccessControl implements AccessControl {
    private final PermissionRepository repository;
    private final Executor owner;
    private final RefusalListener refusals;
    private final Predicate<String> internal;
    /** vhost to user to permission; replaced whole on every change. */
    private volatile Map<String, Map<String, Permission>> table = Map.of();
    private volatile long generation;

    /**
     * @param repository where the table is saved
     * @param owner the thread every change runs on
     * @param refusals told of every refusal of {@link #check} and {@link #checkTopic}
     */
    public PermissionAccessControl(PermissionRepository repository, Executor owner, RefusalListener refusals) {
        this(repository, owner, refusals, user -> false);
    }

    /**
     * As above, where the users {@code internal} names (the broker's own, such as the bridge {@code relais
     * broker} runs) have full permissions in every virtual host without an entry in the table.
     */
    public PermissionAccessControl(PermissionRepository repository, Executor owner, RefusalListener refusals,
                                   Predicate<String> internal) {
        this.repository = repository;
        this.owner = owner;
        this.refusals = refusals;
        this.internal = internal;
    }

    /**
     * Loads the saved table. On a first start (nothing saved yet) every user of {@code seedUsers}
     * gets full permissions ({@link Permission#FULL}) in the default virtual host, and the table is
     * saved. Call once, before serving clients.
     *
     * @return true if this was a first start and the seed users were given full permissions
     * @throws CoreException with {@code STORE_FAILED} if the table cannot be read or written
     */
    public boolean recover(Collection<String> seedUsers) {
        List<UserPermission> saved = repository.load();
        if (saved != null) {
            table = index(saved);
            return false;
        }
        List<UserPermission> seed = new ArrayList<>();
        for (String user : seedUsers) {
            seed.add(new UserPermission(user, Names.DEFAULT_VHOST, Permission.FULL));
        }
        repository.save(seed);
        table = index(seed);
        return true;
    }

    private static Map<String, Map<String, Permission>> index(List<UserPermission> list) {
        Map<String, Map<String, Permission>> byVhost = new HashMap<>();
        for (UserPermission p : list) {
            byVhost.computeIfAbsent(p.vhost(), v -> new HashMap<>()).put(p.user(), p.permission());
        }
        Map<String, Map<String, Permission>> frozen = new HashMap<>();
        byVhost.forEach((v, users) -> frozen.put(v, Map.copyOf(users)));
        return Map.copyOf(frozen);
    }

    /** {@code user}'s permission in {@code vhost}, or null if it has none. Lock-free; any thread. */
    public Permission permission(String user, String vhost) {
        if (internal.test(user)) {
            return Permission.FULL;
        }
        Map<String, Permission> users = table.get(vhost);
        return users == null ? null : users.get(user);
    }

    @Override
    public boolean permits(String user, String vhost, ResourceKind kind, String name, Access access) {
        Permission p = permission(user, vhost);
        return p != null && p.allows(access, name);
    }

    @Override
    public boolean permitsTopic(String user, String vhost, String exchange, String key, Access access) {
        Permission p = permission(user, vhost);
        return p != null && p.allowsTopic(access, key);
    }

    @Override
    public void check(Caller caller, ResourceKind kind, String name, Access access) {
        if (!permits(caller.user(), caller.vhost(), kind, name, access)) {
            CoreException refusal = AccessControl.refusal(caller, kind, name, access);
            refusals.refused(caller, access.word(), kind.word() + " '" + name + "'", refusal.getMessage());
            throw refusal;
        }
    }

    @Override
    public void checkTopic(Caller caller, String exchange, String key, Access access) {
        if (!permitsTopic(caller.user(), caller.vhost(), exchange, key, access)) {
            CoreException refusal = AccessControl.topicRefusal(caller, exchange, key, access);
            refusals.refused(caller, "topic " + access.word(), "exchange '" + exchange + "' key '" + key + "'",
                    refusal.getMessage());
            throw refusal;
        }
    }

    @Override
    public Predicate<String> topicRule(String user, String vhost, Access access) {
        Permission p = permission(user, vhost);
        if (p == null) {
            return key -> false;
        }
        Pattern rule = p.topic(access);
        return rule == null ? null : key -> rule.matcher(key).find();
    }

    @Override
    public long generation() {
        return generation;
    }

    /** Every entry, of one virtual host or (with null) of all, sorted by vhost then user. Any thread. */
    public List<UserPermission> list(String vhost) {
        List<UserPermission> out = new ArrayList<>();
        table.forEach((v, users) -> {
            if (vhost == null || vhost.equals(v)) {
                users.forEach((u, p) -> out.add(new UserPermission(u, v, p)));
            }
        });
        out.sort(Comparator.comparing(UserPermission::vhost).thenComparing(UserPermission::user));
        return out;
    }

    /** Sets (replaces) {@code user}'s permission in {@code vhost}. */
    public CompletableFuture<Void> set(String user, String vhost, Permission permission) {
        return change(t -> {
            Map<String, Permission> users = new HashMap<>(t.getOrDefault(vhost, Map.of()));
            users.put(user, permission);
            return with(t, vhost, users);
        }).thenApply(changed -> null);
    }

    /** Clears {@code user}'s permission in {@code vhost}; completes with true if there was one. */
    public CompletableFuture<Boolean> clear(String user, String vhost) {
        return change(t -> {
            Map<String, Permission> users = t.get(vhost);
            if (users == null || !users.containsKey(user)) {
                return t;
            }
            Map<String, Permission> rest = new HashMap<>(users);
            rest.remove(user);
            return with(t, vhost, rest);
        });
    }

    /** Clears every permission in {@code vhost} (it was deleted); completes with true if there was one. */
    public CompletableFuture<Boolean> clearVhost(String vhost) {
        return change(t -> t.containsKey(vhost) ? with(t, vhost, Map.of()) : t);
    }

    /** Clears every permission of {@code user} (the user was deleted); completes with true if there was one. */
    public CompletableFuture<Boolean> clearUser(String user) {
        return change(t -> {
            Map<String, Map<String, Permission>> next = new HashMap<>();
            boolean changed = false;
            for (Map.Entry<String, Map<String, Permission>> e : t.entrySet()) {
                if (e.getValue().containsKey(user)) {
                    Map<String, Permission> rest = new HashMap<>(e.getValue());
                    rest.remove(user);
                    changed = true;
                    if (!rest.isEmpty()) {
                        next.put(e.getKey(), Map.copyOf(rest));
                    }
                } else {
                    next.put(e.getKey(), e.getValue());
                }
            }
            return changed ? Map.copyOf(next) : t;
        });
    }

    private static Map<String, Map<String, Permission>> with(Map<String, Map<String, Permission>> t, String vhost,
                                                           Map<String, Permission> users) {
        Map<String, Map<String, Permission>> next = new HashMap<>(t);
        if (users.isEmpty()) {
            next.remove(vhost);
        } else {
            next.put(vhost, Map.copyOf(users));
        }
        return Map.copyOf(next);
    }

    /**
     * Runs {@code edit} on the owner thread; saves and publishes its result if it differs. Completes
     * with whether the table changed, or with the store's failure (the table then stays as it was).
     */
    private CompletableFuture<Boolean> change(UnaryOperator<Map<String, Map<String, Permission>>> edit) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                Map<String, Map<String, Permission>> before = table;
                Map<String, Map<String, Permission>> after = edit.apply(before);
                if (after == before) {
                    done.complete(false);
                    return;
                }
                List<UserPermission> entries = new ArrayList<>();
                after.forEach((v, users) -> users.forEach((u, p) -> entries.add(new UserPermission(u, v, p))));
                repository.save(entries);
                table = after;
                generation++;
                done.complete(true);
            } catch (CoreException e) {
                done.completeExceptionally(e);
            } catch (RuntimeException e) {
                done.completeExceptionally(new CoreException(Reason.STORE_FAILED, "the permissions could not be "
                        + "saved: " + e));
            }
        });
        return done;
    }
}
