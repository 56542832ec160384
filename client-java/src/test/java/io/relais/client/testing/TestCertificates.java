package io.relais.client.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with the {@code openssl} command at test time, into a directory the test owns (a
 * {@code @TempDir}), so that no private key is ever committed. EC P-256 keys (fast to make), PEM, keys in
 * PKCS#8 as the broker reads them:
 *
 * <ul>
 *   <li>{@code ca.pem} / {@code ca.key}: the test CA; {@code other-ca.pem}: a second, unrelated CA;</li>
 *   <li>{@code server.pem} / {@code server.key}: CN=localhost, SAN DNS:localhost and IP:127.0.0.1, from the CA;</li>
 *   <li>{@link #client(String, String)}: client certificates from either CA.</li>
 * </ul>
 *
 * <p>Not thread-safe; one test class's setup makes them.
 */
public final class TestCertificates {
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes both CAs and the server certificate in {@code dir}. */
    public static TestCertificates create(Path dir) {
        TestCertificates c = new TestCertificates(dir);
        c.authority("ca", "Relais Test CA");
        c.authority("other-ca", "Some Other CA");
        c.server("server", "localhost");
        return c;
    }

    public Path dir() {
        return dir;
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path otherCa() {
        return dir.resolve("other-ca.pem");
    }

    public Path serverCertificate() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /**
     * Makes another server certificate for localhost/127.0.0.1 from the CA, with common name {@code cn}.
     *
     * @return the certificate file; the key is beside it with the extension {@code .key}
     */
    public Path server(String name, String cn) {
        return server(name, cn, "DNS:localhost,IP:127.0.0.1");
    }

    /** A server certificate from the CA whose subject alternative names are {@code san} (openssl's syntax). */
    public Path server(String name, String cn, String san) {
        return sign(name, cn, "ca", "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth\n");
    }

    /**
     * Makes a client certificate {@code name.pem} / {@code name.key} with common name {@code cn} and the subject
     * alternative names {@code email:cn@example.com} and {@code DNS:cn.example.com}, signed by {@code authority}
     * ({@code "ca"} or {@code "other-ca"}).
     */
    public Path client(String name, String cn, String authority) {
        return sign(name, cn, authority, "subjectAltName=email:" + cn + "@example.com,DNS:" + cn + ".example.com\n"
                + "extendedKeyUsage=clientAuth\n");
    }

    /** {@link #client(String, String, String)} from the test CA. */
    public Path client(String name, String cn) {
        return client(name, cn, "ca");
    }

    /** The key of a certificate made here. */
    public Path keyOf(Path certificate) {
        String file = certificate.getFileName().toString();
        return certificate.resolveSibling(file.substring(0, file.length() - ".pem".length()) + ".key");
    }

    private void authority(String name, String cn) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn);
    }

    private Path sign(String name, String cn, String authority, String extensions) {
        try {
            Files.writeString(dir.resolve(name + ".ext"), extensions, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", authority + ".pem", "-CAkey", authority + ".key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
        return dir.resolve(name + ".pem");
    }

    /** Runs {@code openssl ARGS...} in the directory; fails with its output if it fails. */
    public String openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
