package io.relais.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditEventTest {
    @Test
    void aClientSuppliedNewlineCannotForgeALineOrAField() {
        String json = new AuditEvent("login", Instant.parse("2026-12-01T10:00:00Z"))
                .put("user", "bob\n{\"event\":\"login\",\"success\":true}")
                .put("success", false)
                .put("attempts", 3)
                .put("reason", null)
                .toJson();
        assertThat(json).doesNotContain("\n")
                .isEqualTo("{\"ts\":\"2026-12-01T10:00:00Z\",\"event\":\"login\","
                        + "\"user\":\"bob\\n{\\\"event\\\":\\\"login\\\",\\\"success\\\":true}\","
                        + "\"success\":false,\"attempts\":3,\"reason\":null}");
    }
}
