package io.protoloop.sock;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What {@link io.protoloop.EventLoop#sockRecvfrom} returns, asyncio's {@code (data, address)} tuple.
 *
 * @param data    the datagram (truncated to the requested size), a new buffer the caller owns,
 *                positioned at 0
 * @param address the sender
 */
public record ReceivedDatagram(ByteBuffer data, InetSocketAddress address) {
}
