package io.relais.cli;

import io.relais.client.ExchangeType;
import io.relais.client.RelaisClient;
import io.relais.protocol.frame.ExchangeInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code relais exchange declare|delete|list}. */
@Command(name = "exchange", mixinStandardHelpOptions = true, description = "Declare, delete or list exchanges.",
        subcommands = {ExchangeCommand.Declare.class, ExchangeCommand.Delete.class, ExchangeCommand.ListExchanges.class})
final class ExchangeCommand {

    @Command(name = "declare", mixinStandardHelpOptions = true, description = "Declare an exchange.")
    static final class Declare implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Option(names = "--type", required = true, description = "topic, fanout or direct.")
        String type;

        @Option(names = "--durable", description = "Keep the exchange and its bindings to durable queues across broker restarts.")
        boolean durable;

        @Option(names = "--auto-delete", description = "Delete the exchange when its last binding goes.")
        boolean autoDelete;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            ExchangeType exchangeType = ExchangeType.parse(type);
            try (RelaisClient client = server.connect()) {
                client.declareExchange(name, exchangeType, durable, autoDelete).get();
            }
            System.out.println("declared exchange '" + name + "' (" + exchangeType.wireName() + ")");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an exchange.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Option(names = "--if-unused", description = "Only if it has no bindings.")
        boolean ifUnused;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (RelaisClient client = server.connect()) {
                client.deleteExchange(name, ifUnused).get();
            }
            System.out.println("deleted exchange '" + name + "'");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List exchanges.")
    static final class ListExchanges implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Override
        public Integer call() throws Exception {
            List<ExchangeInfo> list;
            try (RelaisClient client = server.connect()) {
                list = client.listExchanges().get();
            }
            System.out.printf("%-32s %-8s %-8s %-12s %s%n", "NAME", "TYPE", "DURABLE", "AUTO-DELETE", "BINDINGS");
            for (ExchangeInfo e : list) {
                System.out.printf("%-32s %-8s %-8s %-12s %d%n", e.name().isEmpty() ? "(default)" : e.name(),
                        e.exchangeType(), e.durable(), e.autoDelete(), e.bindings());
            }
            return 0;
        }
    }
}
