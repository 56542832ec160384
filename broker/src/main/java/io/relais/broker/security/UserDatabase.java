package io.relais.broker.security;

import io.relais.broker.config.AuthConfig;
import io.relais.broker.config.BrokerConfig;
import io.relais.broker.config.ConfigException;
import io.relais.broker.core.CoreException;
import io.relais.broker.core.Reason;
import io.relais.protocol.sasl.ScramCredential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's users, durable in {@value UsersFile#FILE_NAME} in the data directory ({@link UsersFile}).
 * {@link #open} reads the file at start-up; when there is none it creates it from the seed list
 * {@code auth.users} (by default {@code guest} / {@code guest}), each seed tagged {@code administrator} and
 * loopback-only when listed in {@code auth.loopback-users}. Afterwards the configuration's users are never
 * read again: users change at run time ({@link #create}, {@link #setCredential}, {@link #setTags},
 * {@link #delete}).
 *
 * <p>Besides the durable users it holds internal ones ({@link #addInternal}): in memory only, for this run,
 * loopback-only, never listed nor changed over the protocol; their names start with {@value #RESERVED_PREFIX},
 * which no other user may take. {@code relais broker} gives its bridge one.
 *
 * <p>Threads: reads ({@link #user}, {@link #list}) return from an immutable snapshot behind a volatile
 * field, from any thread, without blocking. Changes run one at a time on the database's own thread
 * ({@code relais-users}): it checks the change, writes the whole file (temp file, fsync, rename, fsync of the
 * directory), then publishes the new snapshot and completes the returned future; so a change that completed is
 * on disk. Deletion listeners ({@link #onDeleted}) run on that thread after the write.
 */
public final class UserDatabase implements UserDirectory, AutoCloseable {
    /** User names starting with this are reserved for the broker's internal users. */
    public static final String RESERVED_PREFIX = "relais.";
    /** Longest user name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    private static final Logger LOG = LoggerFactory.getLogger(UserDatabase.class);

    private final UsersFile file;
    private final ExecutorService thread;
    private final Map<String, User> internal = new ConcurrentHashMap<>();
    private final List<Consumer<String>> deletionListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, User> users;

    private UserDatabase(UsersFile file, Map<String, User> users) {
        this.file = file;
        this.users = Collections.unmodifiableMap(new TreeMap<>(users));
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "relais-users");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads the users of {@code dataDir}, creating the database from {@code auth.users} if it has none. Runs
     * at start-up on the caller's thread (PBKDF2 of the seeds and the first write included).
     *
     * @throws ConfigException if the file is unusable, or a new database would hold no user while ANONYMOUS is off
     */
    public static UserDatabase open(Path dataDir, AuthConfig auth) {
        UsersFile file = new UsersFile(dataDir);
        try {
            Map<String, User> loaded = file.load();
            if (loaded != null) {
                LOG.info("{} users in {}", loaded.size(), file.file());
                return new UserDatabase(file, loaded);
            }
            if (auth.users().isEmpty() && !auth.anonymous()) {
                throw new ConfigException(BrokerConfig.KEY_USERS + " is empty and " + BrokerConfig.KEY_ANONYMOUS
                        + " is false: the new user database " + file.file() + " would let nobody connect");
            }
            Map<String, User> seeded = new TreeMap<>();
            for (Map.Entry<String, String> seed : auth.users().entrySet()) {
                String name = seed.getKey();
                checkName(name);
                seeded.put(name, new User(name, ScramCredential.create(seed.getValue()), Set.of(User.ADMINISTRATOR),
                        auth.loopbackUsers().contains(name)));
            }
            file.save(seeded);
            LOG.info("created the user database {} with {} (from {}; later changes to it in the configuration are "
                    + "not read)", file.file(), seeded.keySet(), BrokerConfig.KEY_USERS);
            return new UserDatabase(file, seeded);
        } catch (IOException e) {
            throw new ConfigException("cannot use the user database in " + dataDir + ": " + e.getMessage(), e);
        } catch (CoreException e) {
            throw new ConfigException(BrokerConfig.KEY_USERS + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<User> user(String name) {
        User u = users.get(name);
        return Optional.ofNullable(u != null ? u : internal.get(name));
    }

    /** The durable users, by name; internal ones are not listed. */
    public List<User> list() {
        return new ArrayList<>(users.values());
    }

    /** Adds an internal user for this run: in memory only, loopback-only; its name must start with {@value #RESERVED_PREFIX}. */
    public void addInternal(String name, ScramCredential credential, Set<String> tags) {
        if (!name.startsWith(RESERVED_PREFIX)) {
            throw new IllegalArgumentException("internal user names start with " + RESERVED_PREFIX);
        }
        internal.put(name, new User(name, credential, tags, true));
    }

    /** Runs {@code listener} with the name of every user deleted from now on, on the database's thread. */
    public void onDeleted(Consumer<String> listener) {
        deletionListeners.add(listener);
    }

    /**
     * Creates a user, not loopback-only unless {@code loopbackOnly}.
     *
     * @return completes once it is on disk; fails with {@link CoreException} PRECONDITION_FAILED if it exists or
     *     the name is reserved, INVALID_ARGUMENT for a bad name or tag, STORE_FAILED if the file cannot be written
     */
    public CompletableFuture<User> create(String name, ScramCredential credential, Set<String> tags,
                                          boolean loopbackOnly) {
        return change(current -> {
            checkName(name);
            checkTags(tags);
            if (current.containsKey(name)) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "user '" + name + "' exists already");
            }
            return new User(name, credential, tags, loopbackOnly);
        }, name);
    }

    /** Replaces a user's credentials; fails with NOT_FOUND if there is no such user. */
    public CompletableFuture<User> setCredential(String name, ScramCredential credential) {
        return change(current -> existing(current, name).withCredential(credential), name);
    }

    /** Replaces a user's tags; refused (PRECONDITION_FAILED) when it would leave no administrator. */
    public CompletableFuture<User> setTags(String name, Set<String> tags) {
        return change(current -> {
            checkTags(tags);
            User u = existing(current, name);
            if (u.administrator() && !tags.contains(User.ADMINISTRATOR) && administrators(current) == 1) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "user '" + name + "' is the last administrator;"
                        + " tag another user administrator first");
            }
            return u.withTags(tags);
        }, name);
    }

    /**
     * Deletes a user; {@code by} (who asks) may not delete itself, and the last administrator is kept.
     *
     * @return completes with the deleted user once the file is written and the deletion listeners ran
     */
    public CompletableFuture<User> delete(String name, String by) {
        return CompletableFuture.supplyAsync(() -> {
            Map<String, User> current = users;
            User u = existing(current, name);
            if (name.equals(by)) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "user '" + name + "' may not delete itself");
            }
            if (u.administrator() && administrators(current) == 1) {
                throw new CoreException(Reason.PRECONDITION_FAILED, "user '" + name + "' is the last administrator "
                        + "and cannot be deleted");
            }
            Map<String, User> next = new TreeMap<>(current);
            next.remove(name);
            publish(next);
            for (Consumer<String> listener : deletionListeners) {
                try {
                    listener.accept(name);
                } catch (RuntimeException e) {
                    LOG.error("a deletion listener failed for user '{}'", name, e);
                }
            }
            return u;
        }, thread);
    }

    private interface Change {
        User apply(Map<String, User> current);
    }

    private CompletableFuture<User> change(Change change, String name) {
        return CompletableFuture.supplyAsync(() -> {
            Map<String, User> current = users;
            User u = change.apply(current);
            Map<String, User> next = new TreeMap<>(current);
            next.put(name, u);
            publish(next);
            return u;
        }, thread);
    }

    /** Writes {@code next} and makes it the snapshot readers see. On the database's thread. */
    private void publish(Map<String, User> next) {
        try {
            file.save(next);
        } catch (IOException e) {
            throw new CoreException(Reason.STORE_FAILED, "cannot write the user database " + file.file() + ": " + e
                    + "; nothing was changed");
        }
        users = Collections.unmodifiableMap(next);
    }

    private static User existing(Map<String, User> current, String name) {
        User u = current.get(name);
        if (u == null) {
            throw new CoreException(Reason.NOT_FOUND, "no user '" + name + "'");
        }
        return u;
    }

    private static long administrators(Map<String, User> current) {
        return current.values().stream().filter(User::administrator).count();
    }

    /** A user name: 1 to 255 UTF-8 bytes, no control character, not reserved. */
    static void checkName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new CoreException(Reason.INVALID_ARGUMENT, "a user name has 1 to " + MAX_NAME_BYTES
                    + " UTF-8 bytes and no control character");
        }
        if (name.startsWith(RESERVED_PREFIX)) {
            throw new CoreException(Reason.PRECONDITION_FAILED, "user names starting with '" + RESERVED_PREFIX
                    + "' are reserved for the broker");
        }
    }

    private static void checkTags(Set<String> tags) {
        for (String t : tags) {
            if (!User.KNOWN_TAGS.contains(t)) {
                throw new CoreException(Reason.INVALID_ARGUMENT, "unknown tag '" + t + "' (known: administrator, "
                        + "monitoring)");
            }
        }
    }

    /** Finishes the changes under way and stops the database's thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
