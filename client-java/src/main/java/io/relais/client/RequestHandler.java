package io.relais.client;

/**
 * Answers the requests that {@link RelaisClient#reply(String, RequestHandler)} receives.
 *
 * <p>Called like a {@link MessageHandler}: on the client's handler executor, never on a network thread,
 * one request at a time with the default executor. The responder settles the request itself: do not ack,
 * nack or reject it here. What the handler does decides the request's fate:
 * <ul>
 *   <li>returns a {@link Reply}: the reply is published to the requester, then the request is acknowledged;
 *   <li>returns {@code null}: the request is declined, rejected without requeue with no reply (the requester
 *       times out), and nothing is logged: the handler reports why itself if it wants to;
 *   <li>throws: like {@code null}, and the exception is logged at WARN.
 * </ul>
 *
 * <p>Do not wait in the handler for a {@link RelaisClient#request(Message, java.time.Duration) request} of
 * the same client when it uses the default (single-threaded) handler executor: the reply could only be
 * handled on the thread that is waiting, so the request would time out.
 *
 * <p>Thread-safety: with the default executor a handler is only ever called from the client's one handler
 * thread; with a multi-threaded executor it may be called concurrently and must be thread-safe.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * Handles one request.
     *
     * @param request the request as delivered; its {@code reply_to} and {@code correlation_id} are set
     * @return the reply, or {@code null} to decline the request
     * @throws Exception to decline the request and have the failure logged
     */
    Reply handle(Delivery request) throws Exception;
}
