package io.protoloop.protocol;

import io.protoloop.transport.Transport;

import java.nio.ByteBuffer;

/**
 * A streaming protocol (TCP, Unix sockets, pipes); asyncio's {@code asyncio.Protocol}.
 *
 * <p>State machine: {@code connectionMade [dataReceived]* [eofReceived]? connectionLost}.
 * No {@code dataReceived} is delivered while the transport's reading is paused.
 *
 * <p>An exception thrown by {@link #dataReceived} or {@link #eofReceived} goes to the loop's
 * exception handler and force-closes the transport, whose {@code connectionLost} then receives that
 * exception (asyncio's {@code _fatal_error}).
 */
public interface Protocol extends BaseProtocol<Transport> {

    /**
     * Called when data arrives.
     *
     * @param data the received bytes: read-only and valid only until this method returns (copy what
     *             you keep). Passing it straight to {@code transport.write(data)} is allowed and
     *             avoids a copy.
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * Called when the peer half-closes its side (sends EOF), after every byte before it was delivered.
     *
     * @return {@code false} (the default) to have the transport close itself, flushing what is
     *         buffered; {@code true} to keep it open for writing (reading stops), the protocol then
     *         decides when to close
     */
    default boolean eofReceived() {
        return false;
    }
}
