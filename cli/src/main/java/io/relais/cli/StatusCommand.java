package io.relais.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relais status}: the broker's overview ({@code GET /api/overview} of the HTTP admin API) as a few
 * aligned lines ({@link OverviewText}), or with {@code --json} the document itself. Any authenticated user may
 * read it. Runs on the main thread.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the broker's version, uptime, "
        + "listeners, connections, queues, message rates and alarms (through its HTTP admin API).")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    AdminApiOption api;

    @Option(names = "--json", description = "Print the overview document (JSON) as the API returns it.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JsonNode overview = api.connect().get("/api/overview");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AdminApi.JSON.writeValueAsString(overview));
        } else {
            out.print(OverviewText.format(overview));
        }
        out.flush();
        return 0;
    }
}
