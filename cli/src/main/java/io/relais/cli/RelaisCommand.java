package io.relais.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The top-level {@code relais} command. Exit status: 0 success, 1 the operation failed (broker
 * unreachable, refused request ...), 2 bad usage.
 */
@Command(name = "relais", mixinStandardHelpOptions = true, versionProvider = RelaisCommand.Version.class,
        description = "Relais message broker: run a broker, publish, subscribe, send and answer requests, manage "
                + "exchanges and queues, users, virtual hosts and permissions; see its status, connections and "
                + "definitions.",
        subcommands = {BrokerCommand.class, ExchangeCommand.class, QueueCommand.class, PubCommand.class,
                SubCommand.class, RequestCommand.class, ReplyCommand.class, BridgeCommand.class, BenchCommand.class,
                UserCommand.class, VhostCommand.class, PermissionsCommand.class, StatusCommand.class,
                DefinitionsCommand.class, ConnectionCommand.class, CommandLine.HelpCommand.class})
public final class RelaisCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Entry point of {@code ./relais}. */
    public static void main(String[] args) {
        boolean broker = args.length > 0 && args[0].equals("broker");
        if (System.getProperty("relais.log.level") == null) {
            System.setProperty("relais.log.level", broker ? "INFO" : "WARN");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command line with Relais' exit codes and error handling; tests execute it in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RelaisCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("relais: " + CliErrors.describe(ex));
            commandLine.getErr().flush();
            return 1;
        });
        return cl;
    }

    /** Reports the build's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RelaisCommand.class.getPackage().getImplementationVersion();
            return new String[] {"relais " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
