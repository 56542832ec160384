package io.relais.broker.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.relais.broker.security.User;
import io.relais.protocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Who the caller is and its tokens: {@code GET /api/whoami}, {@code POST /api/tokens} (a bearer token for the
 * caller, which must have authenticated with its password, not with another token) and
 * {@code DELETE /api/tokens/current} (revokes the token the request used). Stateless; answers on the event
 * loop.
 */
final class IdentityEndpoints {
    private final ApiContext api;

    IdentityEndpoints(ApiContext api) {
        this.api = api;
    }

    void register(ApiRouter router) {
        router.add(HttpMethod.GET, "/api/whoami", ApiRouter.Level.USER, "whoami", (r, p) ->
                CompletableFuture.completedFuture(ApiResponse.ok(whoami(r.principal()))));
        router.add(HttpMethod.POST, "/api/tokens", ApiRouter.Level.USER, "create a token", (r, p) ->
                CompletableFuture.completedFuture(issue(r)));
        router.add(HttpMethod.DELETE, "/api/tokens/current", ApiRouter.Level.USER, "revoke a token", (r, p) ->
                CompletableFuture.completedFuture(revoke(r)));
    }

    static Map<String, Object> whoami(Principal who) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", who.name());
        body.put("tags", List.copyOf(who.sortedTags()));
        body.put("administrator", who.administrator());
        body.put("monitoring", who.monitoring());
        return body;
    }

    private ApiResponse issue(ApiRequest r) {
        Principal who = r.principal();
        if (who.token() != null) {
            throw ApiException.badRequest("a token is made with the user's password (HTTP Basic), not with another "
                    + "token");
        }
        User user = api.users().user(who.name()).orElseThrow(() -> HttpAuthenticator.unauthorized("user '"
                + who.name() + "' no longer exists", true));
        BearerTokens.Issued issued = api.auth().tokens().issue(user, System.currentTimeMillis());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("user", issued.user());
        body.put("expires_at", issued.expiresAtMillis());
        return ApiResponse.json(HttpResponseStatus.CREATED, body);
    }

    private ApiResponse revoke(ApiRequest r) {
        Principal who = r.principal();
        if (who.token() == null) {
            throw ApiException.badRequest("this request used no bearer token to revoke");
        }
        if (!api.auth().tokens().revoke(who.token(), System.currentTimeMillis())) {
            throw new ApiException(HttpResponseStatus.TOO_MANY_REQUESTS, ErrorCode.LIMIT_REACHED, "too many tokens "
                    + "are revoked and not yet expired (" + BearerTokens.MAX_REVOKED + "); the token stays valid "
                    + "until it expires");
        }
        return ApiResponse.noContent();
    }
}
