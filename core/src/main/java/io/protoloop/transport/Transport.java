package io.protoloop.transport;

/**
 * A bidirectional stream transport (TCP, Unix socket); asyncio's {@code asyncio.Transport}.
 *
 * <p>Extra info: {@code "peername"} and {@code "sockname"} ({@link java.net.InetSocketAddress}, or
 * {@link java.net.UnixDomainSocketAddress} for Unix sockets, {@code null} for an unnamed peer) and
 * {@code "socket"} (a {@link SocketView}).
 */
public interface Transport extends ReadTransport, WriteTransport {
}
