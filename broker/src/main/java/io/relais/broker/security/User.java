package io.relais.broker.security;

import io.relais.protocol.sasl.ScramCredential;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One user of the broker: its name, its SCRAM-SHA-256 credentials, its tags and whether it may log in only
 * from a loopback address. Immutable; thread-safe.
 *
 * @param name the user name
 * @param credential what is kept of its password
 * @param tags {@link #ADMINISTRATOR}, {@link #MONITORING}
 * @param loopbackOnly it may log in only from 127.0.0.0/8 or ::1
 */
public record User(String name, ScramCredential credential, Set<String> tags, boolean loopbackOnly) {
    /** Tag: may administer the broker (users, vhosts, permissions). */
    public static final String ADMINISTRATOR = "administrator";
    /** Tag: may list users (read-only administration). */
    public static final String MONITORING = "monitoring";
    /** Every tag this broker knows. */
    public static final Set<String> KNOWN_TAGS = Set.of(ADMINISTRATOR, MONITORING);

    public User {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(credential, "credential");
        tags = Set.copyOf(tags);
    }

    /** True when tagged {@link #ADMINISTRATOR}. */
    public boolean administrator() {
        return tags.contains(ADMINISTRATOR);
    }

    /** The tags in alphabetical order. */
    public Set<String> sortedTags() {
        return new TreeSet<>(tags);
    }

    /** This user with other credentials. */
    User withCredential(ScramCredential newCredential) {
        return new User(name, newCredential, tags, loopbackOnly);
    }

    /** This user with other tags. */
    User withTags(Set<String> newTags) {
        return new User(name, credential, newTags, loopbackOnly);
    }
}
