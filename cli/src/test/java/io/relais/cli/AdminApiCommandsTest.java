package io.relais.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP side of {@code relais status}, {@code definitions} and {@code connection} against a scripted HTTP
 * server (the JDK's): the requests they send (method, path, Basic credentials, body), how they print answers
 * and errors, and how {@code --http} defaults. The same commands against a real broker are in
 * {@code AdminApiEndToEndTest}.
 */
class AdminApiCommandsTest {
    private HttpServer server;
    private String url;
    /** path -> [status, content type, body] of the scripted answers. */
    private final Map<String, Object[]> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " "
                + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
        Object[] a = answers.getOrDefault(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath(),
                new Object[] {404, "application/json", "{\"error\":\"NOT_FOUND\",\"code\":1004,\"message\":\"no such "
                        + "path\"}"});
        byte[] content = ((String) a[2]).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", (String) a[1]);
        exchange.sendResponseHeaders((int) a[0], content.length == 0 ? -1 : content.length);
        exchange.getResponseBody().write(content);
        exchange.close();
    }

    private void script(String request, int status, String json) {
        answers.put(request, new Object[] {status, "application/json", json});
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintTheApiErrorAndExitOneWhenRefused() {
        script("GET /api/definitions", 403, "{\"error\":\"ACCESS_REFUSED\",\"code\":1013,\"message\":\"user 'bob' may "
                + "not export definitions\"}");
        InProcessCli run = InProcessCli.run("definitions", "export", "-", "--http", url, "--user", "bob",
                "--password", "bob-pw");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).isEqualTo("relais: user 'bob' may not export definitions (ACCESS_REFUSED, 1013)\n");
        assertThat(requests).containsExactly("GET /api/definitions " + basic("bob", "bob-pw") + " ");
    }

    @Test
    void shouldSayThatNoHttpApiListensWhenThePortIsClosed() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        InProcessCli run = InProcessCli.run("status", "--http", "http://127.0.0.1:" + closed);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("relais: no HTTP admin API at http://127.0.0.1:" + closed + " (connection "
                + "refused); is the broker running with http enabled (--http-port)?\n");
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotJsonWhenThePortIsSomethingElse() {
        answers.put("GET /api/overview", new Object[] {200, "text/html", "<html>hello</html>"});
        InProcessCli run = InProcessCli.run("status", "--http", url);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("relais: " + url + "/api/overview answered HTTP 200 with text/html, not "
                + "JSON: is this the broker's HTTP admin API?\n");
    }

    @Test
    void shouldSendTheReasonAndEncodeTheIdWhenClosingAConnection() {
        script("DELETE /api/connections/c%2F1%20x", 204, "");
        InProcessCli run = InProcessCli.run("connection", "close", "c/1 x", "--reason", "maintenance", "--http", url);
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("closed connection c/1 x (maintenance)\n");
        assertThat(requests).singleElement().asString()
                .startsWith("DELETE /api/connections/c%2F1%20x " + basic("guest", "guest"))
                .contains("\"reason\" : \"maintenance\"");
    }

    @Test
    void shouldPrintConnectionsAsATableWhenListed() {
        script("GET /api/connections", 200, "[{\"id\":\"7\",\"protocol\":\"relais\",\"remote\":\"127.0.0.1:50000\","
                + "\"user\":\"guest\",\"vhost\":\"/\",\"client_name\":\"worker-1\",\"state\":\"open\",\"connected_at\":"
                + "0,\"subscriptions\":2,\"unacked\":15}]");
        InProcessCli run = InProcessCli.run("connection", "list", "--http", url);
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<String> lines = run.stdout().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("ID  USER   VHOST  REMOTE           PROTOCOL  CLIENT    STATE  SUBS  "
                + "UNACKED  SINCE");
        assertThat(lines.get(1)).startsWith("7   guest  /      127.0.0.1:50000  relais    worker-1  open   2     15"
                + "       ");
    }

    @Test
    void shouldSummariseTheOverviewWhenAskedForTheStatus() {
        script("GET /api/overview", 200, "{\"version\":\"0.1.0\",\"uptime_ms\":7392000,\"node\":\"mq1\",\"listeners\":"
                + "[{\"protocol\":\"relais\",\"host\":\"127.0.0.1\",\"port\":7420},{\"protocol\":\"http\",\"host\":"
                + "\"127.0.0.1\",\"port\":7421}],\"object_totals\":{\"connections\":3,\"vhosts\":1,\"exchanges\":7,"
                + "\"queues\":12,\"consumers\":2},\"queue_totals\":{\"messages_ready\":1234,\"messages_unacked\":5},"
                + "\"message_totals\":{\"published\":100000,\"delivered\":99000,\"acked\":null},\"message_rates\":{\"publish\":"
                + "120.25,\"deliver\":118,\"ack\":117.5},\"alarms\":{\"memory\":false,\"disk\":true},"
                + "\"disk_free_bytes\":13207024435}");
        InProcessCli run = InProcessCli.run("status", "--http", url);
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("""
                Broker:       Relais 0.1.0 on mq1, up 2h 03m 12s
                Listeners:    relais 127.0.0.1:7420, http 127.0.0.1:7421
                Connections:  3
                Objects:      1 vhosts, 7 exchanges, 12 queues, 2 consumers
                Messages:     1,234 ready, 5 unacknowledged
                Rates:        publish 120.3/s, deliver 118.0/s, ack 117.5/s
                Since start:  published 100,000, delivered 99,000
                Alarms:       disk RAISED
                Disk free:    12.3 GiB
                """);
        InProcessCli json = InProcessCli.run("status", "--json", "--http", url);
        assertThat(json.stdout()).contains("\"uptime_ms\" : 7392000", "\"disk\" : true");
    }

    @Test
    void shouldWriteAnOwnerOnlyFileAndImportItBackWhenExportedToAFile(@TempDir Path dir) throws Exception {
        String document = "{\"relais_version\":\"0.1.0\",\"vhosts\":[{\"name\":\"/\"}],\"users\":[{\"name\":\"guest\"},"
                + "{\"name\":\"alice\"}],\"permissions\":[],\"exchanges\":[],\"queues\":[{\"vhost\":\"/\",\"name\":\"q\"}],"
                + "\"bindings\":[]}";
        script("GET /api/definitions", 200, document);
        script("POST /api/definitions", 204, "");
        Path file = dir.resolve("defs.json");
        InProcessCli export = InProcessCli.run("definitions", "export", file.toString(), "--http", url);
        assertThat(export.exitCode()).as(export.stderr()).isZero();
        assertThat(export.stdout()).isEqualTo("exported 1 vhosts, 2 users, 0 permissions, 0 exchanges, 1 queues, "
                + "0 bindings to " + file + "\n");
        assertThat(Files.getPosixFilePermissions(file)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(AdminApi.JSON.readTree(file.toFile())).isEqualTo(AdminApi.JSON.readTree(document));
        try (var listing = Files.list(dir)) {
            assertThat(listing).as("no temporary file left").containsExactly(file);
        }

        InProcessCli load = InProcessCli.run("definitions", "import", file.toString(), "--http", url);
        assertThat(load.exitCode()).as(load.stderr()).isZero();
        assertThat(load.stdout()).isEqualTo("imported 1 vhosts, 2 users, 0 permissions, 0 exchanges, 1 queues, "
                + "0 bindings from " + file + "\n");
        String post = requests.get(requests.size() - 1);
        assertThat(post).startsWith("POST /api/definitions ");
        JsonNode sent = AdminApi.JSON.readTree(post.substring(post.indexOf('{')));
        assertThat(sent).isEqualTo(AdminApi.JSON.readTree(document));
    }

    @Test
    void shouldNameTheLineWhenTheImportedFileIsNotJson(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.json"), "{\"vhosts\": [\n  oops\n]}");
        InProcessCli run = InProcessCli.run("definitions", "import", file.toString(), "--http", url);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).startsWith("relais: " + file + " is not valid JSON: ").contains("(line 2, column");
        assertThat(requests).as("nothing sent").isEmpty();
    }

    @Test
    void shouldTakeTheHostOfTheServerOrTheConfigurationFileWhenNoHttpIsGiven(@TempDir Path dir) throws IOException {
        AdminApiOption option = new AdminApiOption();
        option.server = new ServerOption();
        option.server.environment = Map.of();
        option.server.server = "mq1.example.com:7420";
        assertThat(option.baseUrl()).isEqualTo(URI.create("http://mq1.example.com:7421"));
        option.server.server = "[::1]:7420";
        assertThat(option.baseUrl()).isEqualTo(URI.create("http://[::1]:7421"));
        option.server.tls = true;
        assertThat(option.baseUrl()).as("TLS for the protocol, https for the API").isEqualTo(
                URI.create("https://[::1]:7421"));
        option.server = new ServerOption();
        option.server.environment = Map.of();
        option.server.config = Files.writeString(dir.resolve("relais.yaml"),
                "client:\n  server: 10.0.0.5:7420\n  http: https://mq.example.com:8443/relais/\n");
        assertThat(option.baseUrl()).isEqualTo(URI.create("https://mq.example.com:8443/relais"));
        option.http = "http://other:1";
        assertThat(option.baseUrl()).isEqualTo(URI.create("http://other:1"));
    }

    @Test
    void shouldRefuseAUrlThatIsNotHttpWhenGiven() {
        assertThatThrownBy(() -> AdminApiOption.parseUrl("ftp://x:1")).hasMessage("'ftp://x:1' is not an http:// or "
                + "https:// URL");
        assertThatThrownBy(() -> AdminApiOption.parseUrl("http://guest:guest@x:1")).hasMessageContaining("user name");
        assertThatThrownBy(() -> AdminApiOption.parseUrl("127.0.0.1:7421")).hasMessageContaining("not an http://");
        InProcessCli run = InProcessCli.run("status", "--http", "localhost:7421");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("relais: 'localhost:7421' is not an http:// or https:// URL\n");
    }
}
