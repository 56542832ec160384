package io.relais.client.impl;

import io.relais.client.DeclaredQueue;
import io.relais.client.ExchangeType;
import io.relais.client.QueueDeclaration;
import io.relais.client.RelaisException;
import io.relais.protocol.ErrorCode;
import io.relais.protocol.frame.Answer;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeInfo;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueInfo;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Request;
import io.relais.protocol.frame.Unbind;
import io.relais.protocol.frame.UserDelete;
import io.relais.protocol.frame.UserInfo;
import io.relais.protocol.frame.UserList;
import io.relais.protocol.frame.UserListOk;
import io.relais.protocol.frame.UserPut;
import io.relais.protocol.sasl.Scram;
import io.relais.protocol.sasl.ScramCredential;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * One request to the broker, described once for whichever connection sends it: what to call it in messages,
 * how to build its frame from the request id the connection assigns, and how to read the answer. The
 * factories here are every administrative request of the client; subscriptions, which also change the
 * connection's state, are made by {@link Connection#subscribe}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param description for messages, e.g. {@code QUEUE_PURGE 'q'}
 * @param frame builds the request frame from its request id
 * @param reader reads the answer (never an ERROR: that fails the request before the reader is asked)
 * @param <T> what the request completes with
 */
record BrokerCall<T>(String description, LongFunction<Request> frame, Function<Answer, T> reader) {

    /** Reads an answer of the expected frame class, failing with UNEXPECTED_FRAME on any other. */
    static <A extends Answer, T> Function<Answer, T> expect(Class<A> type, Function<A, T> read) {
        return answer -> {
            if (!type.isInstance(answer)) {
                throw new RelaisException(ErrorCode.UNEXPECTED_FRAME,
                        "expected " + type.getSimpleName() + " as the answer, got " + answer.type());
            }
            return read.apply(type.cast(answer));
        };
    }

    private static BrokerCall<Void> answeredByOk(String description, LongFunction<Request> frame) {
        return new BrokerCall<>(description, frame, expect(Ok.class, ok -> null));
    }

    static BrokerCall<Void> declareExchange(String name, ExchangeType type, boolean durable, boolean autoDelete) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        return answeredByOk("EXCHANGE_DECLARE '" + name + "'",
                id -> new ExchangeDeclare(id, name, type.wireName(), durable, autoDelete, false, Map.of()));
    }

    static BrokerCall<Void> deleteExchange(String name, boolean ifUnused) {
        Objects.requireNonNull(name, "name");
        return answeredByOk("EXCHANGE_DELETE '" + name + "'", id -> new ExchangeDelete(id, name, ifUnused));
    }

    static BrokerCall<DeclaredQueue> declareQueue(QueueDeclaration d) {
        Objects.requireNonNull(d, "declaration");
        return new BrokerCall<>("QUEUE_DECLARE '" + d.name() + "'",
                id -> new QueueDeclare(id, d.name(), d.durable(), d.exclusive(), d.autoDelete(), d.passive(),
                        d.arguments()),
                expect(QueueDeclareOk.class, ok -> new DeclaredQueue(ok.name(), ok.messageCount(), ok.consumerCount())));
    }

    static BrokerCall<Long> deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        Objects.requireNonNull(name, "name");
        return new BrokerCall<>("QUEUE_DELETE '" + name + "'", id -> new QueueDelete(id, name, ifUnused, ifEmpty),
                expect(Ok.class, Ok::count));
    }

    static BrokerCall<Long> purgeQueue(String name) {
        Objects.requireNonNull(name, "name");
        return new BrokerCall<>("QUEUE_PURGE '" + name + "'", id -> new QueuePurge(id, name),
                expect(Ok.class, Ok::count));
    }

    static BrokerCall<Void> bind(String queue, String exchange, String pattern) {
        requireBinding(queue, exchange, pattern);
        return answeredByOk("BIND '" + queue + "' to '" + exchange + "' with '" + pattern + "'",
                id -> new Bind(id, queue, exchange, pattern, Map.of()));
    }

    static BrokerCall<Void> unbind(String queue, String exchange, String pattern) {
        requireBinding(queue, exchange, pattern);
        return answeredByOk("UNBIND '" + queue + "' from '" + exchange + "' with '" + pattern + "'",
                id -> new Unbind(id, queue, exchange, pattern));
    }

    static BrokerCall<List<ExchangeInfo>> listExchanges() {
        return new BrokerCall<>("EXCHANGE_LIST", ExchangeList::new,
                expect(ExchangeListOk.class, ExchangeListOk::exchanges));
    }

    static BrokerCall<List<QueueInfo>> listQueues() {
        return new BrokerCall<>("QUEUE_LIST", QueueList::new, expect(QueueListOk.class, QueueListOk::queues));
    }

    /** USER_PUT; {@code credential} is null for {@link UserPut#SET_TAGS}, which sends empty keys. */
    static BrokerCall<Void> putUser(String name, int mode, ScramCredential credential, List<String> tags) {
        String what = switch (mode) {
            case UserPut.CREATE -> "creating";
            case UserPut.SET_PASSWORD -> "changing the password of";
            default -> "setting the tags of";
        };
        byte[] none = new byte[0];
        return answeredByOk("USER_PUT (" + what + " user '" + name + "')", id -> credential == null
                ? new UserPut(id, name, mode, none, Scram.DEFAULT_ITERATIONS, none, none, tags)
                : new UserPut(id, name, mode, credential.salt(), credential.iterations(), credential.storedKey(),
                        credential.serverKey(), tags));
    }

    static BrokerCall<Void> deleteUser(String name) {
        return answeredByOk("USER_DELETE '" + name + "'", id -> new UserDelete(id, name));
    }

    static BrokerCall<List<UserInfo>> listUsers() {
        return new BrokerCall<>("USER_LIST", UserList::new, expect(UserListOk.class, UserListOk::users));
    }

    private static void requireBinding(String queue, String exchange, String pattern) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(pattern, "pattern");
    }
}
