package io.relais.client.examples;

import io.relais.client.RelaisClient;
import io.relais.client.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Answers requests on {@code text.upper} with the request's text in upper case, until interrupted. Start
 * several: they share the requests. Run: {@code RpcServerExample [HOST:PORT]}.
 */
public final class RpcServerExample {
    private RpcServerExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (RelaisClient client = RelaisClient.builder().server(args.length > 0 ? args[0] : "127.0.0.1:7420")
                .connect()) {
            client.reply("text.upper", request -> {
                String text = new String(request.payload(), StandardCharsets.UTF_8);
                return Reply.of(text.toUpperCase(Locale.ROOT));
            }).join();
            System.out.println("answering on text.upper");
            Thread.currentThread().join(); // until interrupted (Ctrl-C)
        }
    }
}
