package io.relais.bridge;

import io.relais.protocol.Properties;

/**
 * A message taken from a link's source, in Relais terms, with how to settle it there. Immutable; the
 * settler is thread-safe.
 */
record Inbound(String routingKey, Properties properties, boolean persistent, byte[] payload, boolean redelivered,
               Settler settler) {

    /** Acknowledges or gives back a message at its source; failures (source gone) are swallowed. */
    interface Settler {
        /** Done with it: the source may forget it. */
        void ack();

        /** Not forwarded: the source keeps it for later. */
        void requeue();
    }

    static final Settler NONE = new Settler() {
        @Override
        public void ack() {
        }

        @Override
        public void requeue() {
        }
    };
}
