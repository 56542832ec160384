package io.relais.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.broker.AuditLines;
import io.relais.broker.BrokerFixture;
import io.relais.broker.config.HttpConfig;
import io.relais.protocol.sasl.ScramCredential;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP listener of a real broker: authentication, tokens, health checks, errors, static files. */
class HttpAuthEndToEndTest {
    private final BrokerFixture fixture = new BrokerFixture(c -> c.withHttp(HttpConfig.onPort(0).withMaxBody(64 * 1024)));
    private final Http http = Http.to(fixture.broker().httpPort());

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldAnswerTheHealthChecksWithoutAuthentication() {
        Http.Answer live = http.get("/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().get("status").asText()).isEqualTo("up");
        Http.Answer ready = http.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("ready");
        assertThat(ready.json().at("/checks/disk_alarm").asBoolean()).isFalse();
        assertThat(ready.json().at("/checks/listening").asBoolean()).isTrue();
    }

    @Test
    void shouldAnswer401WithABasicChallengeWhenTheRequestHasNoCredentials() {
        Http.Answer a = http.get("/api/whoami");
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.header("WWW-Authenticate")).isEqualTo("Basic realm=\"relais\"");
        assertThat(a.json().get("error").asText()).isEqualTo("AUTHENTICATION_FAILED");
        assertThat(a.json().get("code").asInt()).isEqualTo(2006);
    }

    @Test
    void shouldAnswer401JsonWhenThePasswordIsWrong() {
        try (AuditLines audit = new AuditLines()) {
            Http.Answer a = http.basic("guest", "wrong").get("/api/whoami");
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.json().get("message").asText()).contains("unknown user or wrong password");
            assertThat(audit.with("\"event\":\"login\"", "\"mechanism\":\"http-basic\"", "\"success\":false",
                    "wrong password")).hasSize(1);
            assertThat(http.basic("nobody", "x").get("/api/whoami").status()).isEqualTo(401);
        }
    }

    @Test
    void shouldSayWhoTheCallerIsWhenBasicCredentialsAreRight() {
        Http.Answer a = http.basic("guest", "guest").get("/api/whoami");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("name").asText()).isEqualTo("guest");
        assertThat(a.json().get("administrator").asBoolean()).isTrue();
        assertThat(a.json().get("tags").get(0).asText()).isEqualTo("administrator");
        // The second request is answered from the cache of recent successes, with the same result.
        assertThat(http.basic("guest", "guest").get("/api/whoami").status()).isEqualTo(200);
    }

    @Test
    void shouldAcceptABearerTokenUntilItIsRevoked() {
        Http.Answer issued = http.basic("guest", "guest").post("/api/tokens", null);
        assertThat(issued.status()).isEqualTo(201);
        String token = issued.json().get("token").asText();
        assertThat(issued.json().get("user").asText()).isEqualTo("guest");
        assertThat(issued.json().get("expires_at").asLong()).isGreaterThan(System.currentTimeMillis());
        Http bearer = http.bearer(token);
        assertThat(bearer.get("/api/whoami").json().get("name").asText()).isEqualTo("guest");
        assertThat(bearer.delete("/api/tokens/current").status()).isEqualTo(204);
        Http.Answer after = bearer.get("/api/whoami");
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.header("WWW-Authenticate")).as("no Basic challenge for a bearer token").isNull();
        assertThat(http.bearer("garbage").get("/api/whoami").status()).isEqualTo(401);
    }

    @Test
    void shouldStopAcceptingATokenWhenItsUserChangesPasswordOrIsDeleted() {
        fixture.broker().users().create("bob", ScramCredential.create("bob-pw"), Set.of(), false).join();
        String token = http.basic("bob", "bob-pw").post("/api/tokens", null).json().get("token").asText();
        assertThat(http.bearer(token).get("/api/whoami").status()).isEqualTo(200);
        fixture.broker().users().setCredential("bob", ScramCredential.create("new-pw")).join();
        assertThat(http.bearer(token).get("/api/whoami").status()).isEqualTo(401);
        assertThat(http.basic("bob", "bob-pw").get("/api/whoami").status()).as("old password, cached before")
                .isEqualTo(401);
        String second = http.basic("bob", "new-pw").post("/api/tokens", null).json().get("token").asText();
        assertThat(http.bearer(second).get("/api/whoami").status()).isEqualTo(200);
        fixture.broker().users().delete("bob", "guest").join();
        assertThat(http.bearer(second).get("/api/whoami").status()).isEqualTo(401);
    }

    @Test
    void shouldAnswer404ForAnUnknownPathAnd405ForAnotherMethod() {
        Http guest = http.basic("guest", "guest");
        Http.Answer missing = guest.get("/api/nothing-here");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).isEqualTo("NOT_FOUND");
        Http.Answer method = guest.send("PATCH", "/api/whoami", null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().get("error").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(method.header("Allow")).isEqualTo("GET");
    }

    @Test
    void shouldAnswer400ForMalformedJson() {
        Http.Answer a = http.basic("guest", "guest").put("/api/queues/%2F/q", "{\"durable\": tru");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().get("error").asText()).isEqualTo("MALFORMED_FRAME");
        assertThat(a.json().get("message").asText()).contains("not valid JSON");
    }

    @Test
    void shouldAnswer413WhenTheBodyIsLargerThanTheLimit() {
        String big = "{\"x\":\"" + "a".repeat(70 * 1024) + "\"}";
        Http.Answer a = http.basic("guest", "guest").put("/api/queues/%2F/q", big);
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.json().get("error").asText()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(http.get("/health/live").status()).as("the listener still serves").isEqualTo(200);
    }

    @Test
    void shouldServeStaticFilesWithTheirTypesAndRefuseDotSegments() {
        Http.Answer css = http.get("/ui/css/fixture.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.header("Content-Type")).isEqualTo("text/css; charset=utf-8");
        assertThat(css.text()).contains("#123456");
        assertThat(http.get("/ui/css/fixture.css").text()).as("from the cache").contains("#123456");
        Http.Answer js = http.get("/webjars/testlib/1.0/testlib.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).startsWith("text/javascript");
        assertThat(http.get("/ui/missing.css").status()).isEqualTo(404);
        assertThat(http.get("/ui/%2E%2E/http/ui/css/fixture.css").status()).isEqualTo(404);
        assertThat(http.get("/ui/css/..%2Ffixture.css").status()).isEqualTo(404);
    }

    @Test
    void shouldAnswerPipelinedAndKeptAliveRequestsInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fixture.broker().httpPort())) {
            String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString("guest:guest"
                    .getBytes(StandardCharsets.UTF_8)) + "\r\n";
            String requests = "GET /api/whoami HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"
                    + "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int first = all.indexOf("\"name\":\"guest\"");
            int second = all.indexOf("\"status\":\"up\"");
            int third = all.indexOf("HTTP/1.1 404");
            assertThat(first).isPositive();
            assertThat(second).isGreaterThan(first);
            assertThat(third).isGreaterThan(second);
        }
    }

    @Test
    void shouldAnswerHeadWithoutABody() throws Exception {
        Http.Answer a = http.send(http.request("/health/live").method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.text()).isEmpty();
    }
}
