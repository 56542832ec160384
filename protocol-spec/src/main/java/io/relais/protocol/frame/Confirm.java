package io.relais.protocol.frame;

import io.relais.protocol.FrameType;
import io.relais.protocol.codec.FrameReader;
import io.relais.protocol.codec.FrameWriter;

/**
 * CONFIRM (server to client): Confirms (ack) or refuses (nack) publishes that asked for a confirm.
 *
 * <p>Wire form: [type_id, seq, ack, multiple, code]. See PROTOCOL.md, section CONFIRM.
 * Immutable; thread-safe.
 *
 * @param seq sequence number confirmed
 * @param ack true: accepted; false: refused
 * @param multiple applies to every unconfirmed sequence number up to and including seq
 * @param code 0 for an ack, otherwise the error code of the refusal
 */
public record Confirm(long seq,
        boolean ack,
        boolean multiple,
        int code) implements Frame {

    @Override
    public FrameType type() {
        return FrameType.CONFIRM;
    }

    @Override
    public void encode(FrameWriter w) {
        w.begin(FrameType.CONFIRM, 4);
        w.uint(seq);
        w.bool(ack);
        w.bool(multiple);
        w.uint(code);
    }

    /** Decodes the fields after the type id. */
    public static Confirm decode(FrameReader r) {
        long seq = r.readUInt("seq");
        boolean ack = r.readBool("ack");
        boolean multiple = r.readBool("multiple");
        int code = r.readUInt31("code");
        r.skipRemaining();
        return new Confirm(seq, ack, multiple, code);
    }
}
