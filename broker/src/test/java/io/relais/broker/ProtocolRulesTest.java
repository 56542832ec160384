package io.relais.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.LeakCheck;
import io.relais.protocol.Properties;
import io.relais.protocol.ProtocolVersion;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Rules of PROTOCOL.md checked frame by frame over a raw connection. */
@ExtendWith(LeakCheck.class)
class ProtocolRulesTest {
    private BrokerFixture fixture;
    private RawConnection raw;

    @BeforeEach
    void start() throws Exception {
        fixture = new BrokerFixture();
        raw = new RawConnection(fixture.port());
    }

    @AfterEach
    void stop() throws Exception {
        raw.close();
        fixture.close();
    }

    private ErrorFrame error() throws Exception {
        Frame f = raw.read();
        assertThat(f).isInstanceOf(ErrorFrame.class);
        return (ErrorFrame) f;
    }

    /** Declares queue {@code name} and binds it to the default exchange with its name as the key. */
    private void declareBoundQueue(long requestId, String name, boolean durable) throws Exception {
        raw.send(new QueueDeclare(requestId, name, durable, false, false, false, Map.of()));
        assertThat(raw.read()).isInstanceOf(QueueDeclareOk.class);
        raw.send(new Bind(requestId + 1, name, "", name, Map.of()));
        assertThat(raw.read()).isInstanceOf(Ok.class);
    }

    private static Publish publish(long seq, String exchange, String key, int flags) {
        return new Publish(seq, exchange, key, flags, Properties.EMPTY,
                Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseRequestWithoutExecutingItWhenRequestIdIsZero() throws Exception {
        raw.handshake(0);
        raw.send(new QueueDeclare(0, "zero", false, false, false, false, Map.of()));
        ErrorFrame e = error();
        assertThat(e.requestId()).isZero();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new QueueDeclare(1, "zero", false, false, false, true, Map.of()));
        assertThat(error().code()).isEqualTo(ErrorCode.NOT_FOUND.code());
    }

    @Test
    void shouldRefuseFeaturesWhenCapabilitiesWereNotNegotiated() throws Exception {
        raw.send(new Hello(1, 1, "minimal", List.of()));
        assertThat(raw.read()).isInstanceOf(Welcome.class);
        raw.send(new Auth("PLAIN", "\0guest\0guest".getBytes(StandardCharsets.UTF_8), 0));
        assertThat(raw.read()).isInstanceOf(Ready.class);
        raw.send(publish(1, "", "k", 0));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(publish(0, "", "k", Publish.MANDATORY));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new Subscribe(2, 1, "", "", "k", 0, true, false));
        ErrorFrame e = error();
        assertThat(e.requestId()).isEqualTo(2);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
    }

    @Test
    void shouldNackAndKeepGoingWhenPublishIsRefusedWithConfirms() throws Exception {
        raw.handshake(0);
        raw.send(publish(1, "", "ok", 0));
        raw.send(publish(2, "nope", "k", 0));
        raw.send(publish(3, "", "bad.*", 0));
        raw.send(publish(4, "", "ok", 0));
        raw.send(publish(4, "", "ok", 0));
        Confirm c1 = (Confirm) raw.read();
        assertThat(c1.seq()).isEqualTo(1);
        assertThat(c1.ack()).isTrue();
        Confirm c2 = (Confirm) raw.read();
        assertThat(c2.ack()).isFalse();
        assertThat(c2.code()).isEqualTo(ErrorCode.NOT_FOUND.code());
        Confirm c3 = (Confirm) raw.read();
        assertThat(c3.ack()).isFalse();
        assertThat(c3.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        Frame f4 = raw.read();
        Frame f5 = raw.read();
        List<Frame> both = List.of(f4, f5);
        assertThat(both).anySatisfy(f -> assertThat(f).isInstanceOfSatisfying(Confirm.class,
                c -> assertThat(c.seq()).isEqualTo(4)));
        assertThat(both).anySatisfy(f -> assertThat(f).isInstanceOfSatisfying(ErrorFrame.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code())));
    }

    @Test
    void shouldNackInSeqOrderWhenMandatoryPublishWithSeqLacksReturnsCapability() throws Exception {
        raw.send(new Hello(1, 1, "no-returns", List.of(ProtocolVersion.CAP_CONFIRMS)));
        assertThat(raw.read()).isInstanceOf(Welcome.class);
        raw.send(new Auth("PLAIN", "\0guest\0guest".getBytes(StandardCharsets.UTF_8), 0));
        assertThat(raw.read()).isInstanceOf(Ready.class);
        declareBoundQueue(1, "kept", true);
        raw.send(publish(1, "", "kept", Publish.PERSISTENT));
        raw.send(publish(2, "", "kept", Publish.MANDATORY));
        raw.send(publish(3, "", "kept", 0));
        Confirm c1 = (Confirm) raw.read();
        assertThat(c1.seq()).isEqualTo(1);
        assertThat(c1.ack()).isTrue();
        Confirm c2 = (Confirm) raw.read();
        assertThat(c2.seq()).isEqualTo(2);
        assertThat(c2.ack()).isFalse();
        assertThat(c2.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        Confirm c3 = (Confirm) raw.read();
        assertThat(c3.seq()).isEqualTo(3);
        assertThat(c3.ack()).isTrue();
        raw.send(new ExchangeList(3));
        assertThat(raw.read()).isInstanceOf(ExchangeListOk.class);
        raw.send(new QueueDeclare(4, "kept", true, false, false, true, Map.of()));
        assertThat(raw.read()).isInstanceOfSatisfying(QueueDeclareOk.class,
                ok -> assertThat(ok.messageCount()).isEqualTo(2));
    }

    @Test
    void shouldRefuseInvalidDeclarationsWhenRulesAreBroken() throws Exception {
        raw.handshake(0);
        raw.send(new ExchangeDeclare(1, "withargs", "topic", false, false, false, Map.of("x", 1L)));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new ExchangeDeclare(2, "d", "direct", false, false, false, Map.of()));
        assertThat(raw.read()).isInstanceOf(Ok.class);
        raw.send(new QueueDeclare(3, "q", false, false, false, false, Map.of()));
        assertThat(raw.read()).isInstanceOf(QueueDeclareOk.class);
        raw.send(new Bind(4, "q", "d", "a.*", Map.of()));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new Bind(5, "q", "d", "a.b", Map.of("x", 1L)));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new QueueDeclare(6, "", false, false, false, true, Map.of()));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new QueuePurge(7, ""));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new QueueDeclare(8, "dl", false, false, false, false,
                Map.of("dead-letter-routing-key", "k")));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
        raw.send(new QueueDeclare(9, "dl", false, false, false, false,
                Map.of("dead-letter-exchange", 7L)));
        assertThat(error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT.code());
    }

    @Test
    void shouldSettleNothingWhenMultipleAckNamesATagThatIsNotOutstanding() throws Exception {
        raw.handshake(0);
        declareBoundQueue(1, "m", false);
        raw.send(publish(1, "", "m", 0));
        assertThat(raw.read()).isInstanceOf(Confirm.class);
        raw.send(new Subscribe(3, 1, "m", "", "", 10, true, false));
        Frame a = raw.read();
        Frame b = raw.read();
        ReferenceCountUtil.release(a);
        ReferenceCountUtil.release(b);
        raw.send(new Ack(7, true));
        ErrorFrame e = error();
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_DELIVERY_TAG.code());
        raw.send(new Ack(1, true));
        raw.send(new Ack(1, false));
        assertThat(error().code()).isEqualTo(ErrorCode.UNKNOWN_DELIVERY_TAG.code());
    }

    @Test
    void shouldRefuseAuthenticationWhenAuthzidDiffersFromUser() throws Exception {
        raw.send(new Hello(1, 1, "sneaky", List.of()));
        assertThat(raw.read()).isInstanceOf(Welcome.class);
        raw.send(new Auth("PLAIN", "admin\0guest\0guest".getBytes(StandardCharsets.UTF_8), 0));
        List<Frame> frames = raw.readUntilClosed();
        assertThat(frames).hasSize(1);
        assertThat(((ErrorFrame) frames.get(0)).code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED.code());
    }

    @Test
    void shouldWriteSubscribeOkBeforeAnyDeliverWhenQueueHoldsMessages() throws Exception {
        raw.handshake(0);
        declareBoundQueue(1, "ordered", false);
        for (long seq = 1; seq <= 10; seq++) {
            raw.send(publish(seq, "", "ordered", 0));
        }
        Confirm last;
        do {
            last = (Confirm) raw.read();
        } while (last.seq() < 10);
        for (long sid = 1; sid <= 50; sid++) {
            raw.send(new Subscribe(100 + sid, sid, "ordered", "", "", 2, true, false));
            boolean answered = false;
            long lastTag = 0;
            int delivered = 0;
            while (!answered || delivered < 2) {
                Frame f = raw.read();
                if (f instanceof SubscribeOk ok) {
                    assertThat(ok.sid()).isEqualTo(sid);
                    answered = true;
                } else {
                    assertThat(f).isInstanceOf(Deliver.class);
                    Deliver d = (Deliver) f;
                    ReferenceCountUtil.release(d);
                    assertThat(answered).as("SUBSCRIBE_OK written before the DELIVER of subscription " + sid)
                            .isTrue();
                    assertThat(d.sid()).isEqualTo(sid);
                    lastTag = d.deliveryTag();
                    delivered++;
                }
            }
            raw.send(new Cancel(200 + sid, sid));
            assertThat(raw.read()).isInstanceOfSatisfying(Ok.class, ok -> assertThat(ok.requestId()).isPositive());
            raw.send(new Nack(lastTag, true, true));
        }
    }
}
