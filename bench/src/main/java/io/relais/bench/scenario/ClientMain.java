package io.relais.bench.scenario;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client process of the scenario runner ({@code --client-procs}): runs some producers and consumers of a
 * scenario ({@link Clients} roles) against a system the runner has set up, and answers the runner's commands
 * on standard input, one line each:
 *
 * <ul>
 *   <li>after starting its roles it prints {@code ready} (or {@code error MESSAGE})</li>
 *   <li>{@code reset}: zero the counts; answers {@code ok CLIENT_BACKLOG}</li>
 *   <li>{@code rate R}: set the rate of paced producers; answers {@code ok 0}</li>
 *   <li>{@code report}: answers {@code stats SENT RECEIVED LATENCY CONFIRM_LATENCY CLIENT_BACKLOG}
 *       ({@link Stats#encode}), or {@code error MESSAGE} if a producer failed</li>
 *   <li>{@code stop}: closes everything, answers {@code stopped} and exits</li>
 * </ul>
 *
 * <p>Timestamps are {@link System#nanoTime()}, which on Linux reads CLOCK_MONOTONIC, one clock for every
 * process on the host: latency measured between a producer in one process and a consumer in another is
 * exact. Single-threaded command loop.
 */
public final class ClientMain {
    private ClientMain() {
    }

    /**
     * Runs the client process.
     *
     * @param args the system ({@code relais} or {@code nats}), where it is, then one role spec each
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Stats stats = new Stats();
        MessagingSystem system;
        Clients clients;
        try {
            system = switch (args[0]) {
                case "relais" -> new RelaisSystem(args[1]);
                case "nats" -> new NatsSystem(args[1]);
                default -> throw new IllegalArgumentException("unknown system " + args[0]);
            };
            clients = new Clients(system, stats);
            for (String role : Arrays.asList(args).subList(2, args.length)) {
                clients.start(role);
            }
        } catch (Exception e) {
            out.println("error " + oneLine(e));
            return;
        }
        out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("reset")) {
                stats.reset();
                out.println("ok " + system.clientBacklog());
            } else if (line.startsWith("rate ")) {
                clients.rate(Long.parseLong(line.substring(5).trim()));
                out.println("ok 0");
            } else if (line.equals("report")) {
                Exception failure = clients.failure();
                out.println(failure != null ? "error " + oneLine(failure)
                        : "stats " + stats.encode() + " " + system.clientBacklog());
            } else if (line.equals("stop")) {
                break;
            }
        }
        clients.close();
        system.close();
        out.println("stopped");
        System.exit(0);
    }

    static String oneLine(Exception e) {
        return e.toString().replace('\n', ' ');
    }
}
