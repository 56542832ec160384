package io.relais.broker.security;

/**
 * A login was refused. {@link #getMessage()} is what the client is told (the same for an unknown user and a
 * wrong password); {@link #auditReason()} is what the audit log records, which may say more. Immutable;
 * thread-safe.
 */
public final class LoginRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String auditReason;

    /**
     * @param clientMessage for the client's ERROR 2006
     * @param auditReason for the audit log's {@code reason}
     */
    public LoginRefusedException(String clientMessage, String auditReason) {
        super(clientMessage, null, false, false);
        this.auditReason = auditReason;
    }

    /** Why, for the audit log. */
    public String auditReason() {
        return auditReason;
    }
}
