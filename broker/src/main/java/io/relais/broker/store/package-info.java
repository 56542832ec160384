/**
 * Durable state on disk: the definitions store; the message store (Chronicle Queue) comes alongside.
 */
package io.relais.broker.store;
