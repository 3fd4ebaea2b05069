package io.protoloop.sock;

import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * What {@link io.protoloop.EventLoop#sockAccept} returns, asyncio's {@code (conn, address)} tuple.
 *
 * @param channel the accepted connection, already non-blocking (as asyncio makes it); the caller owns
 *                it
 * @param address the peer: an {@link java.net.InetSocketAddress}, a
 *                {@link java.net.UnixDomainSocketAddress}, or {@code null} for an unnamed Unix peer
 */
public record Accepted(SocketChannel channel, SocketAddress address) {
}
