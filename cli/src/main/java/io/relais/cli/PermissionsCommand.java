package io.relais.cli;

import io.relais.client.RelaisClient;
import io.relais.protocol.frame.PermissionInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relais permissions set|clear|list}: users' permissions in virtual hosts, for administrators.
 * The virtual host a permission is about is {@code --vhost}; the command itself connects to the
 * default virtual host {@code /}, since the administrator may have no permissions yet in the one it
 * gives permissions in (as {@code rabbitmqctl set_permissions -p V} works from outside V).
 */
@Command(name = "permissions", mixinStandardHelpOptions = true,
        description = "Set, clear or list users' permissions in virtual hosts (administrators only).",
        subcommands = {PermissionsCommand.Set.class, PermissionsCommand.Clear.class,
                PermissionsCommand.ListPermissions.class})
final class PermissionsCommand {
    /** Connects with {@code server}'s options, but to the default virtual host. */
    static RelaisClient connectToDefaultVhost(ServerOption server) {
        String target = server.vhost;
        server.vhost = "/";
        try {
            return server.connect();
        } finally {
            server.vhost = target;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Set (replace) USER's permissions in the virtual host --vhost: regular expressions of the "
                    + "exchange and queue names USER may configure (declare, delete), write (publish to, bind a queue) "
                    + "and read (consume, purge, bind from); '' allows nothing.")
    static final class Set implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Option(names = "--topic-write", paramLabel = "RE", defaultValue = "",
                description = "Routing keys USER may publish to topic exchanges (default: any).")
        String topicWrite;

        @Option(names = "--topic-read", paramLabel = "RE", defaultValue = "",
                description = "Binding keys USER may bind or subscribe with from topic exchanges (default: any).")
        String topicRead;

        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Parameters(index = "1", paramLabel = "CONFIGURE")
        String configure;

        @Parameters(index = "2", paramLabel = "WRITE")
        String write;

        @Parameters(index = "3", paramLabel = "READ")
        String read;

        @Override
        public Integer call() throws Exception {
            try (RelaisClient client = connectToDefaultVhost(server)) {
                client.permissions().set(user, server.vhost, configure, write, read, topicWrite, topicRead).get();
            }
            System.out.println("set permissions of '" + user + "' in vhost '" + server.vhost + "': configure '"
                    + configure + "' write '" + write + "' read '" + read + "'"
                    + (topicWrite.isEmpty() ? "" : " topic-write '" + topicWrite + "'")
                    + (topicRead.isEmpty() ? "" : " topic-read '" + topicRead + "'"));
            return 0;
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true,
            description = "Clear USER's permissions in the virtual host --vhost.")
    static final class Clear implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "USER")
        String user;

        @Override
        public Integer call() throws Exception {
            boolean cleared;
            try (RelaisClient client = connectToDefaultVhost(server)) {
                cleared = client.permissions().clear(user, server.vhost).get();
            }
            System.out.println(cleared ? "cleared permissions of '" + user + "' in vhost '" + server.vhost + "'"
                    : "'" + user + "' had no permissions in vhost '" + server.vhost + "'");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the permissions in the virtual host --vhost, or in every one without --vhost.")
    static final class ListPermissions implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            boolean one = spec.commandLine().getParseResult().hasMatchedOption("--vhost");
            List<PermissionInfo> list;
            try (RelaisClient client = connectToDefaultVhost(server)) {
                list = client.permissions().list(one ? server.vhost : null).get();
            }
            System.out.printf("%-20s %-20s %-16s %-16s %-16s %-16s %s%n", "USER", "VHOST", "CONFIGURE", "WRITE", "READ",
                    "TOPIC-WRITE", "TOPIC-READ");
            for (PermissionInfo p : list) {
                System.out.printf("%-20s %-20s %-16s %-16s %-16s %-16s %s%n", p.user(), p.vhost(), shown(p.configure()),
                        shown(p.write()), shown(p.read()), shown(p.topicWrite()), shown(p.topicRead()));
            }
            return 0;
        }

        private static String shown(String regex) {
            return regex.isEmpty() ? "''" : regex;
        }
    }
}
