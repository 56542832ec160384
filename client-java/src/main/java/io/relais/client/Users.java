package io.relais.client;

import io.relais.protocol.frame.UserInfo;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The broker's users, administered over the client's connection (PROTOCOL.md 4.36-4.39; the broker must
 * offer the {@code admin} capability). Obtained with {@link RelaisClient#users()}.
 *
 * <p>Passwords never leave the client: it derives the SCRAM-SHA-256 credentials (a random salt, 4096
 * iterations, StoredKey and ServerKey) on a key-derivation thread of its own, never on its event loop, and
 * sends only those. Every change needs the logged-in user to be tagged {@code administrator}, a list
 * {@code administrator} or {@code monitoring}; otherwise the future fails with {@link AccessRefusedException}
 * and the connection stays open. Other refusals fail with a {@link RelaisException} whose code says why:
 * {@code PRECONDITION_FAILED} (the user exists, deleting yourself or the last administrator, a reserved name),
 * {@code NOT_FOUND}, {@code INVALID_ARGUMENT} (a bad name or unknown tag). A change has completed once it is
 * on the broker's disk.
 *
 * <p>Thread-safe; the futures complete on the client's network thread, like every request's.
 */
public interface Users {
    /** Tag: may administer the broker. */
    String ADMINISTRATOR = "administrator";
    /** Tag: may list users. */
    String MONITORING = "monitoring";

    /** Creates a user with this password and these tags; fails if it exists. */
    CompletableFuture<Void> add(String name, String password, Set<String> tags);

    /** Gives an existing user a new password; its tags stay. */
    CompletableFuture<Void> changePassword(String name, String password);

    /** Replaces an existing user's tags; its password stays. */
    CompletableFuture<Void> setTags(String name, Set<String> tags);

    /** Deletes a user. */
    CompletableFuture<Void> delete(String name);

    /** Every user with its tags, by name; never a credential. */
    CompletableFuture<List<UserInfo>> list();
}
