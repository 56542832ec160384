package io.relais.broker.store;

/**
 * A store refused a write because the disk is nearly full ({@link DiskSpace}): nothing was written,
 * and the same write may succeed once space returns. The publish it belonged to is refused; the
 * store itself stays healthy.
 *
 * <p>Immutable; thrown on store threads.
 */
public final class DiskFullException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** A refusal described by {@code message}. */
    public DiskFullException(String message) {
        super(message, null);
    }
}
