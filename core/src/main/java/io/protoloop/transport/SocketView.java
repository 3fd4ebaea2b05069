package io.protoloop.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * The {@code "socket"} extra info of a socket transport: a JDK-typed view of the underlying socket,
 * asyncio's {@code TransportSocket}. It never exposes the engine's own objects; reading or writing
 * through it directly is not offered, as in asyncio.
 */
public interface SocketView {

    /**
     * Reads a socket option, e.g. {@link java.net.StandardSocketOptions#TCP_NODELAY}.
     *
     * @throws UnsupportedOperationException when the socket does not support {@code option}
     */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /**
     * Sets a socket option.
     *
     * @throws UnsupportedOperationException when the socket does not support {@code option}
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /** The local address, or {@code null} when unbound. */
    SocketAddress localAddress();

    /** The remote address, or {@code null} when not connected or unnamed. */
    SocketAddress remoteAddress();
}
