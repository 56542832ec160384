package io.relais.broker.http;

import io.netty.util.concurrent.EventExecutor;
import io.relais.broker.audit.AuditLog;
import io.relais.broker.core.Names;
import io.relais.broker.core.access.Caller;
import java.util.concurrent.CompletableFuture;

/**
 * Dispatches one request: finds its route ({@link ApiRouter}), authenticates the caller unless the route is
 * public ({@link HttpAuthenticator}), checks the route's {@link ApiRouter.Level} (a refusal is a 403 and an
 * audit line, as the protocol's), runs the endpoint, and turns every failure into the JSON error answer
 * ({@link ApiErrors}). Never fails its future. Thread-safe: it holds only thread-safe parts; the endpoint
 * runs on the connection's event loop.
 */
final class HttpApi {
    private final ApiRouter router;
    private final HttpAuthenticator auth;

    HttpApi(ApiRouter router, HttpAuthenticator auth) {
        this.router = router;
        this.auth = auth;
    }

    /** The answer to {@code request}, completed on {@code loop} or on a thread that then hands it there. */
    CompletableFuture<ApiResponse> handle(ApiRequest request, EventExecutor loop) {
        ApiRouter.Match match;
        try {
            match = router.match(request.method(), request.segments());
        } catch (ApiRouter.MethodNotAllowed e) {
            return CompletableFuture.completedFuture(ApiErrors.answer(e, request.toString())
                    .withHeader("Allow", e.allow()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ApiErrors.answer(e, request.toString()));
        }
        CompletableFuture<ApiResponse> answer;
        if (match.route().level() == ApiRouter.Level.PUBLIC) {
            answer = run(match, request);
        } else {
            CompletableFuture<Principal> who;
            try {
                who = auth.authenticate(request, loop);
            } catch (RuntimeException e) {
                who = CompletableFuture.failedFuture(e);
            }
            answer = who.thenComposeAsync(principal -> {
                request.authenticated(principal);
                authorize(match.route(), request);
                return run(match, request);
            }, loop);
        }
        return answer.exceptionally(failure -> ApiErrors.answer(failure, request.toString()));
    }

    private static CompletableFuture<ApiResponse> run(ApiRouter.Match match, ApiRequest request) {
        try {
            return match.route().endpoint().handle(request, match.params());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Refuses (403, audited) a caller without the tag the route needs. */
    private static void authorize(ApiRouter.Route route, ApiRequest request) {
        Principal p = request.principal();
        String tags = switch (route.level()) {
            case MONITOR -> p.monitoring() ? null : "administrator or monitoring";
            case ADMIN -> p.administrator() ? null : "administrator";
            default -> null;
        };
        if (tags != null) {
            refuse(request, route.operation(), "broker", Caller.describe(p.name()) + " may not " + route.operation()
                    + ": that needs the " + tags + " tag");
        }
    }

    /** Audits a refusal of {@code operation} on {@code resource} and throws the 403 for it. */
    static void refuse(ApiRequest request, String operation, String resource, String message) {
        AuditLog.refused(request.caller(Names.DEFAULT_VHOST), operation, resource, message);
        throw ApiException.forbidden(message);
    }
}
