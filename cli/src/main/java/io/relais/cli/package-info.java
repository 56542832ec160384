/**
 * The {@code relais} command line: {@code broker} runs a broker in the foreground; {@code exchange},
 * {@code queue}, {@code pub} and {@code sub} talk to a running broker through the Java client.
 *
 * <p>Commands run on the main thread; subscription handlers run on the client's handler thread.
 */
package io.relais.cli;
