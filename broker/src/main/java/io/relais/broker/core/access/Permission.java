package io.relais.broker.core.access;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What one user may do in one virtual host, as RabbitMQ puts it: three regular expressions matched
 * against resource names, one per {@link Access} (configure, write, read), and two topic
 * expressions matched against routing keys (topic write, when publishing to a topic exchange) and
 * binding keys (topic read, when binding from a topic exchange or subscribing to one with a
 * pattern).
 *
 * <p>An expression matches a name when it is found anywhere in it ({@link java.util.regex.Matcher#find()},
 * as RabbitMQ does): anchor it with {@code ^} and {@code $} to match whole names. An empty
 * configure, write or read expression matches nothing; an empty topic expression restricts nothing
 * (the user has no topic permission, so only the write or read permission on the exchange counts).
 *
 * <p>The expressions are compiled once, when the permission is made. Immutable; thread-safe.
 */
public final class Permission {
    /** Full access: every expression {@code .*}, no topic restriction. */
    public static final Permission FULL = new Permission(".*", ".*", ".*", "", "");

    private final String configure;
    private final String write;
    private final String read;
    private final String topicWrite;
    private final String topicRead;
    private final Pattern configurePattern;
    private final Pattern writePattern;
    private final Pattern readPattern;
    private final Pattern topicWritePattern;
    private final Pattern topicReadPattern;

    /**
     * @throws IllegalArgumentException if an expression is not a valid regular expression; the
     *     message names it
     */
    public Permission(String configure, String write, String read, String topicWrite, String topicRead) {
        this.configure = Objects.requireNonNull(configure, "configure");
        this.write = Objects.requireNonNull(write, "write");
        this.read = Objects.requireNonNull(read, "read");
        this.topicWrite = Objects.requireNonNull(topicWrite, "topicWrite");
        this.topicRead = Objects.requireNonNull(topicRead, "topicRead");
        this.configurePattern = compile("configure", configure);
        this.writePattern = compile("write", write);
        this.readPattern = compile("read", read);
        this.topicWritePattern = compile("topic write", topicWrite);
        this.topicReadPattern = compile("topic read", topicRead);
    }

    private static Pattern compile(String what, String regex) {
        if (regex.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("the " + what + " expression '" + regex
                    + "' is not a valid regular expression: " + e.getDescription());
        }
    }

    /** The configure expression. */
    public String configure() {
        return configure;
    }

    /** The write expression. */
    public String write() {
        return write;
    }

    /** The read expression. */
    public String read() {
        return read;
    }

    /** The topic write expression; empty for none. */
    public String topicWrite() {
        return topicWrite;
    }

    /** The topic read expression; empty for none. */
    public String topicRead() {
        return topicRead;
    }

    /** True if {@code access} to the resource {@code name} is allowed. */
    public boolean allows(Access access, String name) {
        Pattern p = switch (access) {
            case CONFIGURE -> configurePattern;
            case WRITE -> writePattern;
            case READ -> readPattern;
        };
        return p != null && p.matcher(name).find();
    }

    /**
     * The topic expression for {@code access} ({@link Access#WRITE}: routing keys published,
     * {@link Access#READ}: binding keys bound), or null when there is no restriction.
     */
    public Pattern topic(Access access) {
        return access == Access.WRITE ? topicWritePattern : access == Access.READ ? topicReadPattern : null;
    }

    /** True if the topic permission for {@code access} allows {@code key}. */
    public boolean allowsTopic(Access access, String key) {
        Pattern p = topic(access);
        return p == null || p.matcher(key).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permission p && configure.equals(p.configure) && write.equals(p.write)
                && read.equals(p.read) && topicWrite.equals(p.topicWrite) && topicRead.equals(p.topicRead);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configure, write, read, topicWrite, topicRead);
    }

    @Override
    public String toString() {
        return "configure '" + configure + "' write '" + write + "' read '" + read + "' topic-write '" + topicWrite
                + "' topic-read '" + topicRead + "'";
    }
}
