package io.relais.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code relais connection list|close}: the broker's client connections, through the HTTP admin API
 * ({@code GET /api/connections}, {@code DELETE /api/connections/ID}). Administrators and monitoring users see
 * every connection, other users their own; administrators may close any, other users their own. Runs on the
 * main thread.
 */
@Command(name = "connection", mixinStandardHelpOptions = true, description = "List the broker's client "
        + "connections or close one (through its HTTP admin API).",
        subcommands = {ConnectionCommand.ListConnections.class, ConnectionCommand.Close.class})
final class ConnectionCommand {
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private ConnectionCommand() {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the client connections: id, "
            + "user, vhost, remote address, client name, state, subscriptions, unacknowledged deliveries and "
            + "since when (local time).")
    static final class ListConnections implements Callable<Integer> {
        @Mixin
        AdminApiOption api;

        @Option(names = "--json", description = "Print the list (JSON) as the API returns it.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonNode list = api.connect().get("/api/connections");
            if (list == null || !list.isArray()) {
                throw new IllegalStateException("GET /api/connections answered no JSON list");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(AdminApi.JSON.writeValueAsString(list));
            } else {
                out.print(table(list));
            }
            out.flush();
            return 0;
        }
    }

    /** The connections as a table with a header line, columns as wide as their widest value. */
    static String table(JsonNode list) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "USER", "VHOST", "REMOTE", "PROTOCOL", "CLIENT", "STATE", "SUBS", "UNACKED",
            "SINCE"});
        for (JsonNode c : list) {
            rows.add(new String[] {text(c, "id"), text(c, "user"), text(c, "vhost"), text(c, "remote"),
                text(c, "protocol"), text(c, "client_name"), text(c, "state"), text(c, "subscriptions"),
                text(c, "unacked"), since(c.path("connected_at"))});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String text(JsonNode connection, String field) {
        JsonNode n = connection.path(field);
        return n.isMissingNode() || n.isNull() || n.asText().isEmpty() ? "-" : n.asText();
    }

    /** Epoch milliseconds as local time; another value as it is. */
    private static String since(JsonNode connectedAt) {
        if (connectedAt.isNumber()) {
            return SINCE.format(Instant.ofEpochMilli(connectedAt.asLong()).atZone(ZoneId.systemDefault()));
        }
        return connectedAt.isMissingNode() || connectedAt.isNull() ? "-" : connectedAt.asText();
    }

    @Command(name = "close", mixinStandardHelpOptions = true, description = "Close a client connection (its id "
            + "from 'connection list'): the client receives a CLOSE with the reason, and its unacknowledged "
            + "deliveries go back to their queues.")
    static final class Close implements Callable<Integer> {
        @Mixin
        AdminApiOption api;

        @Parameters(paramLabel = "ID", description = "The connection's id.")
        String id;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the client and the audit log "
                + "(default: the broker's).")
        String reason;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = null;
            if (reason != null) {
                body = AdminApi.JSON.createObjectNode().put("reason", reason);
            }
            api.connect().send("DELETE", "/api/connections/" + AdminApi.segment(id), body);
            PrintWriter out = spec.commandLine().getOut();
            out.println("closed connection " + id + (reason != null ? " (" + reason + ")" : ""));
            out.flush();
            return 0;
        }
    }
}
