package io.relais.broker.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.protocol.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The API's JSON: one shared Jackson mapper (thread-safe once configured), writing maps, lists and records
 * as UTF-8 bytes and reading request bodies; a body that is not JSON is a 400 MALFORMED_FRAME naming what is
 * wrong with it. Stateless apart from the mapper.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    /** {@code value} as UTF-8 JSON. */
    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request body as a JSON tree; an empty body is an empty object. */
    static JsonNode read(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node == null ? MAPPER.createObjectNode() : node;
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ApiException(HttpResponseStatus.BAD_REQUEST, ErrorCode.MALFORMED_FRAME,
                    "the request body is not valid JSON: " + detail);
        }
    }

    /** The request body as a JSON object; anything else is a 400. */
    static JsonNode object(byte[] body) {
        JsonNode node = read(body);
        if (!node.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object, not " + node.getNodeType());
        }
        return node;
    }

    /** Field {@code name} of {@code node} as a string, or {@code def} when absent or null. */
    static String text(JsonNode node, String name, String def) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("'" + name + "' must be a string");
        }
        return v.asText();
    }

    /** Field {@code name} of {@code node} as a boolean, or {@code def} when absent or null. */
    static boolean bool(JsonNode node, String name, boolean def) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("'" + name + "' must be true or false");
        }
        return v.asBoolean();
    }
}
