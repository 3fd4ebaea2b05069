package io.protoloop;

import io.protoloop.transport.BaseTransport;

/**
 * A transport and its protocol, asyncio's {@code (transport, protocol)} tuple returned by
 * {@code create_connection} and friends.
 *
 * @param transport the new transport
 * @param protocol  the protocol the factory created for it
 * @param <T>       the transport type
 * @param <P>       the protocol type
 */
public record Connection<T extends BaseTransport, P>(T transport, P protocol) {
}
