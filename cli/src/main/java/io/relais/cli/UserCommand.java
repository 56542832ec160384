package io.relais.cli;

import io.relais.client.RelaisClient;
import io.relais.protocol.frame.UserInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relais user add|delete|list|passwd}: the broker's users, administered over the protocol (USER_PUT,
 * USER_DELETE, USER_LIST). The password is read from the console without echo, or as one line of standard
 * input ({@code --password-stdin}, or when standard input is not a terminal); the client derives the SCRAM
 * credentials from it, so it never crosses the wire. Needs a user tagged administrator ({@code --user});
 * a refusal prints the broker's message and exits with status 1.
 */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Add, delete, list users or change a "
        + "password (needs a user tagged administrator).",
        subcommands = {UserCommand.Add.class, UserCommand.Delete.class, UserCommand.ListUsers.class,
                UserCommand.Passwd.class})
final class UserCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a user. The password is asked "
            + "on the console (no echo), or read as one line of standard input.")
    static final class Add implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Mixin
        PasswordInput input;

        @Option(names = "--tag", paramLabel = "TAG", description = "A tag of the user: administrator or monitoring. "
                + "Repeatable.")
        List<String> tags = new ArrayList<>();

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            String password = input.read(name);
            try (RelaisClient client = server.connect()) {
                client.users().add(name, password, new LinkedHashSet<>(tags)).get();
            }
            System.out.println("added user '" + name + "'" + (tags.isEmpty() ? "" : " (tags: " + String.join(", ",
                    tags) + ")"));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a user.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (RelaisClient client = server.connect()) {
                client.users().delete(name).get();
            }
            System.out.println("deleted user '" + name + "'");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users with their tags.")
    static final class ListUsers implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Override
        public Integer call() throws Exception {
            List<UserInfo> list;
            try (RelaisClient client = server.connect()) {
                list = client.users().list().get();
            }
            System.out.printf("%-32s %-28s %s%n", "NAME", "TAGS", "LOOPBACK-ONLY");
            for (UserInfo u : list) {
                System.out.printf("%-32s %-28s %s%n", u.name(), String.join(",", u.tags()), u.loopbackOnly() ? "yes"
                        : "no");
            }
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change a user's password. The "
            + "password is asked on the console (no echo), or read as one line of standard input.")
    static final class Passwd implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Mixin
        PasswordInput input;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            String password = input.read(name);
            try (RelaisClient client = server.connect()) {
                client.users().changePassword(name, password).get();
            }
            System.out.println("changed the password of user '" + name + "'");
            return 0;
        }
    }
}
