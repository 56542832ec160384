package io.relais.cli;

import io.relais.client.ConnectionEvent;
import io.relais.client.RelaisClient;
import io.relais.client.RelaisException;
import io.relais.client.Reply;
import io.relais.client.RequestHandler;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relais reply}: answers the requests sent to routing keys that match PATTERN, one at a time, until
 * interrupted. With {@code --echo} the reply is the request's payload; with {@code --exec CMD} it is what
 * {@code /bin/sh -c CMD} prints (less one final newline), given the request's payload on its standard input.
 * A command that fails or runs too long gets its request rejected with a warning on standard error (the
 * requester times out). Every {@code relais reply} of one pattern shares its requests. Exits 1 if the broker
 * closes the connection.
 */
@Command(name = "reply", mixinStandardHelpOptions = true,
        description = "Answer requests sent to PATTERN (see 'relais request'): echo them, or run a command.")
final class ReplyCommand implements Callable<Integer> {
    @Mixin
    ServerOption server;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Answer answer;

    @Parameters(paramLabel = "PATTERN", description = "Routing key or pattern of the service, e.g. 'svc' or 'svc.*'.")
    String pattern;

    /** How requests are answered: exactly one of the two options. */
    static final class Answer {
        @Option(names = "--echo", required = true, description = "Reply with the request's own payload.")
        boolean echo;

        @Option(names = "--exec", required = true, paramLabel = "CMD",
                description = "Reply with the standard output of /bin/sh -c CMD (less one final newline), run "
                        + "with the request on its standard input; a non-zero exit or a run over "
                        + ShellReply.TIME_LIMIT_SECONDS + " s rejects the request.")
        String exec;
    }

    @Override
    public Integer call() throws Exception {
        RequestHandler handler = answer.exec == null ? request -> Reply.of(request.payload())
                : new ShellReply(answer.exec)::handle;
        List<RelaisException> errors = new CopyOnWriteArrayList<>();
        CompletableFuture<ConnectionEvent> gaveUp = new CompletableFuture<>();
        try (ClientShutdownHook hook = new ClientShutdownHook(server.connectReconnecting(gaveUp),
                "relais-reply-shutdown")) {
            RelaisClient client = hook.client();
            client.onError(errors::add);
            client.reply(pattern, handler).get();
            System.err.println("answering requests on '" + pattern + "'"
                    + (answer.exec == null ? " (echo)" : " with: " + answer.exec));
            System.err.flush();
            gaveUp.get();
            if (hook.fired()) {
                return 0;
            }
            for (RelaisException e : errors) {
                System.err.println("relais: " + CliErrors.describe(e));
            }
            System.err.println("relais: connection to the broker was lost");
            return 1;
        }
    }
}
