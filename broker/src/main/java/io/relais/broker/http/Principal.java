package io.relais.broker.http;

import io.relais.broker.security.User;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who an authenticated request comes from: the user, its tags as the user database holds them now, and the
 * bearer token it used (null for Basic), which {@code DELETE /api/tokens/current} revokes. Immutable;
 * thread-safe.
 *
 * @param name the user name
 * @param tags the user's tags
 * @param token the bearer token of the request, or null
 */
record Principal(String name, Set<String> tags, String token) {
    Principal {
        tags = Set.copyOf(tags);
    }

    /** Tagged administrator: may do everything. */
    boolean administrator() {
        return tags.contains(User.ADMINISTRATOR);
    }

    /** Tagged monitoring or administrator: may read everything. */
    boolean monitoring() {
        return administrator() || tags.contains(User.MONITORING);
    }

    /** The tags in alphabetical order. */
    Set<String> sortedTags() {
        return new TreeSet<>(tags);
    }
}
