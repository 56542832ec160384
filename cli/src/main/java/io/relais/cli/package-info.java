/**
 * The {@code relais} command line: {@code broker} runs a broker in the foreground; {@code exchange},
 * {@code queue}, {@code pub} and {@code sub} talk to a running broker through the Java client, with the
 * connection options of {@link io.relais.cli.ServerOption} (defaults from the {@code client:} section of a
 * configuration file, {@link io.relais.cli.ClientDefaults}); {@code status}, {@code definitions} and
 * {@code connection} talk to its HTTP admin API ({@link io.relais.cli.AdminApi}, options
 * {@link io.relais.cli.AdminApiOption}). {@link io.relais.cli.ReloadSignal} lets the
 * broker reload its TLS certificates on SIGHUP.
 *
 * <p>Commands run on the main thread; subscription handlers run on the client's handler thread.
 */
package io.relais.cli;
