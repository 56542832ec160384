package io.relais.cli;

import io.relais.client.RelaisClient;
import io.relais.protocol.frame.VhostInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code relais vhost add|delete|list}: the broker's virtual hosts, for administrators. */
@Command(name = "vhost", mixinStandardHelpOptions = true,
        description = "Add, delete or list virtual hosts (administrators only).",
        subcommands = {VhostCommand.Add.class, VhostCommand.Delete.class, VhostCommand.ListVhosts.class})
final class VhostCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Create a virtual host (nobody has permissions in it until 'permissions set').")
    static final class Add implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            boolean created;
            try (RelaisClient client = server.connect()) {
                created = client.vhosts().add(name).get();
            }
            System.out.println(created ? "added vhost '" + name + "'" : "vhost '" + name + "' exists already");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a virtual host with its exchanges, queues, messages and permissions; its "
                    + "connections are closed.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (RelaisClient client = server.connect()) {
                client.vhosts().delete(name).get();
            }
            System.out.println("deleted vhost '" + name + "'");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List virtual hosts with their queues and connections.")
    static final class ListVhosts implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Override
        public Integer call() throws Exception {
            List<VhostInfo> list;
            try (RelaisClient client = server.connect()) {
                list = client.vhosts().list().get();
            }
            System.out.printf("%-40s %10s %12s%n", "NAME", "QUEUES", "CONNECTIONS");
            for (VhostInfo v : list) {
                System.out.printf("%-40s %10d %12d%n", v.name(), v.queues(), v.connections());
            }
            return 0;
        }
    }
}
