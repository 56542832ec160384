package io.relais.bridge;

/** Which way a link carries messages. */
public enum Direction {
    /** From a Relais exchange to RabbitMQ. */
    TO_RABBITMQ("to-rabbitmq", "relais"),
    /** From RabbitMQ to a Relais exchange. */
    FROM_RABBITMQ("from-rabbitmq", "rabbitmq");

    private final String id;
    private final String sourceSide;

    Direction(String id, String sourceSide) {
        this.id = id;
        this.sourceSide = sourceSide;
    }

    /** The name used in configuration. */
    public String id() {
        return id;
    }

    /** {@code relais} or {@code rabbitmq}: the side messages come from. */
    public String sourceSide() {
        return sourceSide;
    }

    /** The side messages go to. */
    public String destinationSide() {
        return this == TO_RABBITMQ ? "rabbitmq" : "relais";
    }

    static Direction of(String id) {
        for (Direction d : values()) {
            if (d.id.equals(id)) {
                return d;
            }
        }
        throw new IllegalArgumentException("direction must be to-rabbitmq or from-rabbitmq, not '" + id + "'");
    }
}
