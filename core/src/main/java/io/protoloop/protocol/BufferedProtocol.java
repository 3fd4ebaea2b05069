package io.protoloop.protocol;

import io.protoloop.transport.Transport;

import java.nio.ByteBuffer;

/**
 * A streaming protocol that receives straight into its own buffer; asyncio's
 * {@code asyncio.BufferedProtocol}.
 *
 * <p>State machine: {@code connectionMade [getBuffer [bufferUpdated]?]* [eofReceived]? connectionLost}.
 * The transport writes received bytes into the buffer from its position up to its limit and then
 * calls {@link #bufferUpdated}; it never moves the buffer's position or limit itself. A direct buffer
 * is filled by the socket read itself (zero copy); a heap buffer is filled through one copy.
 *
 * <p>An exception from {@code getBuffer} (an empty buffer counts as one), {@code bufferUpdated} or
 * {@code eofReceived} goes to the exception handler and force-closes the transport.
 */
public interface BufferedProtocol extends BaseProtocol<Transport> {

    /**
     * Called to get the buffer the next received bytes go into.
     *
     * @param sizehint the recommended minimum size, or {@code -1} for any size
     * @return a buffer with at least one byte remaining
     */
    ByteBuffer getBuffer(int sizehint);

    /**
     * Called when {@code nbytes} bytes were written into the last buffer from its position on.
     *
     * @param nbytes how many bytes were written, always at least 1
     */
    void bufferUpdated(int nbytes);

    /** Same contract as {@link Protocol#eofReceived()}. */
    default boolean eofReceived() {
        return false;
    }
}
