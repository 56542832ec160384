package io.relais.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build rule that keeps the core protocol-neutral: no source file under
 * {@code io.relais.broker.core} may refer to Netty or to the Relais wire protocol, by import or by
 * fully qualified name, so that every front end drives the same core.
 */
class CoreIsProtocolNeutralTest {
    private static final Path CORE = Paths.get("src/main/java/io/relais/broker/core");
    private static final Pattern FORBIDDEN = Pattern.compile("\\b(io\\.netty|io\\.relais\\.protocol)\\.[\\w.]+");

    @Test
    void shouldReferToNeitherNettyNorTheWireProtocolWhenInTheCorePackages() throws IOException {
        assertThat(CORE).isDirectory();
        List<String> offences = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(CORE)) {
            for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = FORBIDDEN.matcher(lines.get(i));
                    if (m.find()) {
                        offences.add(CORE.relativize(p) + ":" + (i + 1) + " refers to " + m.group());
                    }
                }
            }
        }
        assertThat(files).as("core source files found").isGreaterThan(10);
        assertThat(offences).as("the core must not depend on Netty or the wire protocol").isEmpty();
    }

    @Test
    void shouldFindAnOffenceWhenALineRefersToNetty() {
        // Split so that the style check does not read these lines as inline class names.
        assertThat(FORBIDDEN.matcher("import io." + "netty.buffer.ByteBuf;").find()).isTrue();
        assertThat(FORBIDDEN.matcher("x = new io." + "relais.protocol.Properties(null);").find()).isTrue();
        assertThat(FORBIDDEN.matcher("import io." + "relais.broker.core.Names;").find()).isFalse();
    }
}
