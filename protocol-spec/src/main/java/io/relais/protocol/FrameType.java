package io.relais.protocol;

import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.frame.Ack;
import io.relais.protocol.frame.Auth;
import io.relais.protocol.frame.AuthChallenge;
import io.relais.protocol.frame.AuthResponse;
import io.relais.protocol.frame.Bind;
import io.relais.protocol.frame.Cancel;
import io.relais.protocol.frame.Cancelled;
import io.relais.protocol.frame.Close;
import io.relais.protocol.frame.CloseOk;
import io.relais.protocol.frame.Confirm;
import io.relais.protocol.frame.Deliver;
import io.relais.protocol.frame.ErrorFrame;
import io.relais.protocol.frame.ExchangeDeclare;
import io.relais.protocol.frame.ExchangeDelete;
import io.relais.protocol.frame.ExchangeList;
import io.relais.protocol.frame.ExchangeListOk;
import io.relais.protocol.frame.Flow;
import io.relais.protocol.frame.Frame;
import io.relais.protocol.frame.Heartbeat;
import io.relais.protocol.frame.Hello;
import io.relais.protocol.frame.Nack;
import io.relais.protocol.frame.Ok;
import io.relais.protocol.frame.Publish;
import io.relais.protocol.frame.QueueDeclare;
import io.relais.protocol.frame.QueueDeclareOk;
import io.relais.protocol.frame.QueueDelete;
import io.relais.protocol.frame.QueueList;
import io.relais.protocol.frame.QueueListOk;
import io.relais.protocol.frame.QueuePurge;
import io.relais.protocol.frame.Ready;
import io.relais.protocol.frame.Reject;
import io.relais.protocol.frame.Return;
import io.relais.protocol.frame.Subscribe;
import io.relais.protocol.frame.SubscribeOk;
import io.relais.protocol.frame.Unbind;
import io.relais.protocol.frame.UserDelete;
import io.relais.protocol.frame.UserList;
import io.relais.protocol.frame.UserListOk;
import io.relais.protocol.frame.UserPut;
import io.relais.protocol.frame.Welcome;
import java.util.function.Function;

/**
 * The table of every frame type: wire id, who may send it, and how it is decoded.
 *
 * <p>Ids are stable: a retired id is never reused. New frame types are only sent to peers that
 * negotiated a version or capability that defines them. Immutable; thread-safe.
 */
public enum FrameType {
    HELLO(1, Sender.CLIENT, Hello::decode),
    WELCOME(2, Sender.SERVER, Welcome::decode),
    AUTH(3, Sender.CLIENT, Auth::decode),
    READY(4, Sender.SERVER, Ready::decode),
    HEARTBEAT(5, Sender.BOTH, Heartbeat::decode),
    CLOSE(6, Sender.BOTH, Close::decode),
    CLOSE_OK(7, Sender.BOTH, CloseOk::decode),
    ERROR(8, Sender.SERVER, ErrorFrame::decode),
    OK(9, Sender.SERVER, Ok::decode),

    EXCHANGE_DECLARE(10, Sender.CLIENT, ExchangeDeclare::decode),
    EXCHANGE_DELETE(11, Sender.CLIENT, ExchangeDelete::decode),
    QUEUE_DECLARE(12, Sender.CLIENT, QueueDeclare::decode),
    QUEUE_DECLARE_OK(13, Sender.SERVER, QueueDeclareOk::decode),
    QUEUE_DELETE(14, Sender.CLIENT, QueueDelete::decode),
    QUEUE_PURGE(15, Sender.CLIENT, QueuePurge::decode),
    BIND(16, Sender.CLIENT, Bind::decode),
    UNBIND(17, Sender.CLIENT, Unbind::decode),
    EXCHANGE_LIST(18, Sender.CLIENT, ExchangeList::decode),
    EXCHANGE_LIST_OK(19, Sender.SERVER, ExchangeListOk::decode),
    QUEUE_LIST(20, Sender.CLIENT, QueueList::decode),
    QUEUE_LIST_OK(21, Sender.SERVER, QueueListOk::decode),

    PUBLISH(30, Sender.CLIENT, Publish::decode),
    CONFIRM(31, Sender.SERVER, Confirm::decode),
    RETURN(32, Sender.SERVER, Return::decode),
    SUBSCRIBE(33, Sender.CLIENT, Subscribe::decode),
    SUBSCRIBE_OK(34, Sender.SERVER, SubscribeOk::decode),
    CANCEL(35, Sender.CLIENT, Cancel::decode),
    CANCELLED(36, Sender.SERVER, Cancelled::decode),
    DELIVER(37, Sender.SERVER, Deliver::decode),
    ACK(38, Sender.CLIENT, Ack::decode),
    NACK(39, Sender.CLIENT, Nack::decode),
    REJECT(40, Sender.CLIENT, Reject::decode),
    FLOW(41, Sender.SERVER, Flow::decode),
    AUTH_CHALLENGE(42, Sender.SERVER, AuthChallenge::decode),
    AUTH_RESPONSE(43, Sender.CLIENT, AuthResponse::decode),

    USER_PUT(44, Sender.CLIENT, UserPut::decode),
    USER_DELETE(45, Sender.CLIENT, UserDelete::decode),
    USER_LIST(46, Sender.CLIENT, UserList::decode),
    USER_LIST_OK(47, Sender.SERVER, UserListOk::decode);

    /** Which side of a connection may send a frame type. */
    public enum Sender { CLIENT, SERVER, BOTH }

    private static final FrameType[] BY_ID = new FrameType[64];

    static {
        for (FrameType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final Sender sender;
    private final Function<FrameReader, Frame> decoder;

    FrameType(int id, Sender sender, Function<FrameReader, Frame> decoder) {
        this.id = id;
        this.sender = sender;
        this.decoder = decoder;
    }

    /** The wire id. */
    public int id() {
        return id;
    }

    /** Which side may send this frame. */
    public Sender sender() {
        return sender;
    }

    /** True if a client may send this frame. */
    public boolean sentByClient() {
        return sender != Sender.SERVER;
    }

    /** True if a server may send this frame. */
    public boolean sentByServer() {
        return sender != Sender.CLIENT;
    }

    /** Decodes the fields that follow the type id. */
    public Frame decode(FrameReader reader) {
        return decoder.apply(reader);
    }

    /** The type with this id, or {@code null}. */
    public static FrameType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
