package io.relais.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.protocol.VectorCatalog;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramClient;
import io.relais.protocol.sasl.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SCRAM-SHA-256 against the test vector of RFC 7677 section 3 (user "user", password "pencil"): both sides,
 * the client's {@link ScramClient} and the broker's {@link ScramServer}, produce and accept exactly the RFC's
 * messages; and the refusals (wrong password, unknown user, channel binding, a tampered binding) look alike
 * where they must.
 */
class ScramRfc7677Test {
    static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    static final String SERVER_NONCE_PART = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    static final String CLIENT_FIRST = VectorCatalog.SCRAM_CLIENT_FIRST;
    static final String SERVER_FIRST = VectorCatalog.SCRAM_SERVER_FIRST;
    static final String CLIENT_FINAL = VectorCatalog.SCRAM_CLIENT_FINAL;
    static final String SERVER_FINAL = VectorCatalog.SCRAM_SERVER_FINAL;
    static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    static final byte[] SECRET = new byte[32];

    private static final ScramCredential PENCIL = ScramCredential.derive("pencil", SALT, 4096);
    private static final UserDirectory USERS = name -> name.equals("user")
            ? Optional.of(new User("user", PENCIL, Set.of(), false)) : Optional.empty();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerTheRfcMessagesWhenTheServerIsGivenTheRfcClientMessages() {
        ScramServer server = new ScramServer(USERS, SECRET, SERVER_NONCE_PART);
        assertThat(text(server.first(ascii(CLIENT_FIRST)))).isEqualTo(SERVER_FIRST);
        assertThat(server.user()).isEqualTo("user");
        assertThat(text(server.last(ascii(CLIENT_FINAL)))).isEqualTo(SERVER_FINAL);
        assertThat(server.account().name()).isEqualTo("user");
    }

    @Test
    void shouldSendTheRfcMessagesAndAcceptTheServerSignatureWhenTheClientIsGivenTheRfcServerMessages() {
        ScramClient client = new ScramClient("user", CLIENT_NONCE);
        assertThat(text(client.clientFirst())).isEqualTo(CLIENT_FIRST);
        ScramClient.Challenge c = client.serverFirst(ascii(SERVER_FIRST));
        assertThat(c.salt()).isEqualTo(SALT);
        assertThat(c.iterations()).isEqualTo(4096);
        byte[] salted = Scram.saltedPassword("pencil", c.salt(), c.iterations());
        assertThat(text(client.clientFinal(salted))).isEqualTo(CLIENT_FINAL);
        client.serverFinal(ascii(SERVER_FINAL));
    }

    @Test
    void shouldRefuseAServerThatCannotSignWhenItsFinalMessageIsWrong() {
        ScramClient client = new ScramClient("user", CLIENT_NONCE);
        client.clientFirst();
        client.serverFirst(ascii(SERVER_FIRST));
        client.clientFinal(Scram.saltedPassword("pencil", SALT, 4096));
        assertThatThrownBy(() -> client.serverFinal(ascii("v=" + Scram.base64(new byte[32]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signature is wrong");
        assertThatThrownBy(() -> client.serverFinal(ascii("e=invalid-proof")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid-proof");
    }

    @Test
    void shouldRefuseFewIterationsAndAForeignNonceWhenTheClientReadsTheServerFirstMessage() {
        ScramClient client = new ScramClient("user", CLIENT_NONCE);
        assertThatThrownBy(() -> client.serverFirst(ascii(SERVER_FIRST.replace("i=4096", "i=1000"))))
                .hasMessageContaining("1000 iterations");
        assertThatThrownBy(() -> client.serverFirst(ascii("r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .hasMessageContaining("nonce");
    }

    @Test
    void shouldRefuseAWrongPasswordAndAnUnknownUserAlikeWhenTheProofIsChecked() {
        String wrong = finalFor("user", "pencils");
        String unknown = finalFor("nobody", "pencil");
        assertThat(refusal("user", wrong)).isEqualTo(new Refusal(
                "authentication failed for user 'user': unknown user or wrong password", "wrong password"));
        assertThat(refusal("nobody", unknown)).isEqualTo(new Refusal(
                "authentication failed for user 'nobody': unknown user or wrong password", "unknown user"));
    }

    @Test
    void shouldOfferAnUnknownUserTheSameSaltEveryTimeWhenItIsAskedTwice() {
        String first = text(new ScramServer(USERS, SECRET).first(ascii("n,,n=nobody,r=abc")));
        String again = text(new ScramServer(USERS, SECRET).first(ascii("n,,n=nobody,r=xyz")));
        Map<Character, String> a = Scram.attributes(first);
        Map<Character, String> b = Scram.attributes(again);
        assertThat(a.get('s')).isEqualTo(b.get('s'));
        assertThat(a.get('i')).isEqualTo("4096");
        assertThat(Base64.getDecoder().decode(a.get('s'))).hasSize(Scram.SALT_BYTES);
    }

    @Test
    void shouldRefuseChannelBindingAndATamperedBindingWhenTheClientAsksForThem() {
        assertThatThrownBy(() -> new ScramServer(USERS, SECRET).first(ascii("p=tls-unique,,n=user,r=abc")))
                .isInstanceOf(LoginRefusedException.class).hasMessageContaining("channel binding is not supported");
        ScramServer server = new ScramServer(USERS, SECRET, SERVER_NONCE_PART);
        server.first(ascii(CLIENT_FIRST));
        assertThatThrownBy(() -> server.last(ascii(CLIENT_FINAL.replace("c=biws", "c=eSws"))))
                .isInstanceOf(LoginRefusedException.class).hasMessageContaining("GS2 header");
    }

    @Test
    void shouldRoundTripNamesWithCommasAndEqualsWhenEscaped() {
        assertThat(Scram.escapeName("a,b=c")).isEqualTo("a=2Cb=3Dc");
        assertThat(Scram.unescapeName("a=2Cb=3Dc")).isEqualTo("a,b=c");
        assertThatThrownBy(() -> Scram.unescapeName("a=b")).isInstanceOf(IllegalArgumentException.class);
    }

    record Refusal(String message, String auditReason) {
    }

    private static Refusal refusal(String user, String clientFinal) {
        ScramServer server = new ScramServer(USERS, SECRET, SERVER_NONCE_PART);
        server.first(ascii("n,,n=" + user + ",r=" + CLIENT_NONCE));
        try {
            server.last(ascii(clientFinal));
            throw new AssertionError("accepted");
        } catch (LoginRefusedException e) {
            return new Refusal(e.getMessage(), e.auditReason());
        }
    }

    /** The client-final-message a real client with this password sends to a server with the fixed nonce. */
    private static String finalFor(String user, String password) {
        ScramServer probe = new ScramServer(USERS, SECRET, SERVER_NONCE_PART);
        byte[] serverFirst = probe.first(ascii("n,,n=" + user + ",r=" + CLIENT_NONCE));
        ScramClient client = new ScramClient(user, CLIENT_NONCE);
        ScramClient.Challenge c = client.serverFirst(serverFirst);
        return text(client.clientFinal(Scram.saltedPassword(password, c.salt(), c.iterations())));
    }
}
