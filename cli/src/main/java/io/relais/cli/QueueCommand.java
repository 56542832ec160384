package io.relais.cli;

import io.relais.client.DeclaredQueue;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisClient;
import io.relais.protocol.frame.QueueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code relais queue declare|delete|purge|list}. */
@Command(name = "queue", mixinStandardHelpOptions = true, description = "Declare, delete, purge or list queues.",
        subcommands = {QueueCommand.Declare.class, QueueCommand.Delete.class, QueueCommand.Purge.class,
                QueueCommand.ListQueues.class})
final class QueueCommand {

    @Command(name = "declare", mixinStandardHelpOptions = true,
            description = "Declare a queue and optionally bind it.")
    static final class Declare implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ServerOption server;

        @Option(names = "--durable", description = "Keep the queue, its bindings to durable exchanges and its persistent "
                + "messages across broker restarts.")
        boolean durable;

        @Option(names = "--auto-delete", description = "Delete the queue when its last consumer goes.")
        boolean autoDelete;

        @Option(names = "--bind", paramLabel = "EXCHANGE:PATTERN", description = "Bind to EXCHANGE with PATTERN; "
                + "a PATTERN without 'EXCHANGE:' binds to the default exchange. Repeatable.")
        List<String> bindings = new ArrayList<>();

        @Option(names = "--arg", paramLabel = "KEY=VALUE", description = "Queue argument: max-length, "
                + "max-length-bytes, message-ttl, flow-max-delay (numbers), overflow (block|drop-head|reject-publish), "
                + "dead-letter-exchange, dead-letter-routing-key. Repeatable.")
        List<String> arguments = new ArrayList<>();

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            QueueDeclaration declaration = QueueDeclaration.named(name).durable(durable).autoDelete(autoDelete);
            for (String arg : arguments) {
                int eq = arg.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--arg must be KEY=VALUE, not '"
                            + arg + "'");
                }
                String value = arg.substring(eq + 1);
                declaration = declaration.argument(arg.substring(0, eq), value.matches("-?\\d+") ? (Object) Long.valueOf(value)
                        : value);
            }
            try (RelaisClient client = server.connect()) {
                DeclaredQueue q = client.declareQueue(declaration).get();
                for (String binding : bindings) {
                    int colon = binding.indexOf(':');
                    String exchange = colon < 0 ? "" : binding.substring(0, colon);
                    String pattern = colon < 0 ? binding : binding.substring(colon + 1);
                    client.bind(q.name(), exchange, pattern).get();
                }
                System.out.println("declared queue '" + q.name() + "' (" + q.messageCount() + " messages, "
                        + q.consumerCount() + " consumers)" + (bindings.isEmpty() ? "" : ", bound to "
                        + String.join(", ", bindings)));
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a queue and its messages.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Option(names = "--if-unused", description = "Only if it has no consumers.")
        boolean ifUnused;

        @Option(names = "--if-empty", description = "Only if it holds no messages.")
        boolean ifEmpty;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            long n;
            try (RelaisClient client = server.connect()) {
                n = client.deleteQueue(name, ifUnused, ifEmpty).get();
            }
            System.out.println("deleted queue '" + name + "' (" + n + " messages dropped)");
            return 0;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Drop every ready message of a queue.")
    static final class Purge implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            long n;
            try (RelaisClient client = server.connect()) {
                n = client.purgeQueue(name).get();
            }
            System.out.println("purged queue '" + name + "' (" + n + " messages dropped)");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List queues with their depth, unacknowledged messages and consumers.")
    static final class ListQueues implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Override
        public Integer call() throws Exception {
            List<QueueInfo> list;
            try (RelaisClient client = server.connect()) {
                list = client.listQueues().get();
            }
            System.out.printf("%-40s %10s %10s %10s  %s%n", "NAME", "MESSAGES", "UNACKED", "CONSUMERS", "FLAGS");
            for (QueueInfo q : list) {
                String flags = (q.durable() ? "durable " : "") + (q.exclusive() ? "exclusive " : "")
                        + (q.autoDelete() ? "auto-delete" : "");
                System.out.printf("%-40s %10d %10d %10d  %s%n", q.name(), q.messages(), q.unacked(), q.consumers(),
                        flags.trim());
            }
            return 0;
        }
    }
}
