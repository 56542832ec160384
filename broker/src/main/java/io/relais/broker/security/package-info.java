/**
 * The broker's users and how they log in. {@link io.relais.broker.security.UserDatabase} keeps the users
 * durable in the data directory ({@code users.db}, written by {@link io.relais.broker.security.UsersFile}):
 * each with SCRAM-SHA-256 credentials (salt, iteration count, StoredKey, ServerKey; never a password), tags
 * and a loopback-only flag. {@link io.relais.broker.security.ScramServer} is the server's side of one
 * SCRAM-SHA-256 exchange, {@link io.relais.broker.security.KeyDerivation} runs PBKDF2 (PLAIN logins) off the
 * network threads, and {@link io.relais.broker.security.LoginThrottle} slows an address down after failed
 * logins. {@link io.relais.broker.security.UserDirectory} is the read side other parts of the broker ask
 * (is this user an administrator?).
 *
 * <p>Reads are lock-free snapshots and safe from any thread; changes are serialized on the database's own
 * thread, which does the disk I/O; each class states its threading.
 */
package io.relais.broker.security;
