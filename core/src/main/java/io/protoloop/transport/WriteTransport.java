package io.protoloop.transport;

import java.nio.ByteBuffer;

/**
 * A transport that sends; asyncio's {@code asyncio.WriteTransport}.
 *
 * <p>{@code write} never blocks: bytes the socket does not take at once are buffered. When the
 * buffer goes strictly over the high-water mark the protocol's {@code pauseWriting()} is called
 * inside that {@code write}; when it drains to the low-water mark or below, {@code resumeWriting()}.
 * The buffer counts payload bytes only. Writes after the transport is closed are dropped (a warning is
 * logged from the fifth on), never an exception.
 */
public interface WriteTransport extends BaseTransport {

    /**
     * Writes the remaining bytes of {@code data}, consuming it (its position moves to its limit, as
     * with {@link java.nio.channels.WritableByteChannel}); the caller may reuse it afterwards.
     *
     * @throws IllegalStateException after {@link #writeEof()} (on the loop; off the loop the error
     *                               goes to the loop's exception handler)
     */
    void write(ByteBuffer data);

    /** Writes {@code data}; the array is copied or sent before this returns. */
    void write(byte[] data);

    /** Writes each buffer in order, as one {@code write} would. */
    void writelines(Iterable<ByteBuffer> data);

    /** Whether {@link #writeEof()} is supported (true for TCP and Unix sockets, false for TLS). */
    boolean canWriteEof();

    /**
     * Half-closes: sends EOF after everything buffered is flushed. Reading goes on. A second call,
     * or a call on a closing transport, does nothing.
     */
    void writeEof();

    /**
     * Closes at once, dropping whatever is buffered; the protocol's {@code connectionLost(null)}
     * follows.
     */
    void abort();

    /** Bytes buffered and not yet handed to the operating system. */
    int getWriteBufferSize();

    /** The current low- and high-water marks. */
    WriteBufferLimits getWriteBufferLimits();

    /**
     * Sets the water marks, asyncio's rules: both {@code null} gives 64 KiB / 16 KiB; only
     * {@code high} gives {@code low = high / 4}; only {@code low} gives {@code high = 4 * low}.
     * May call {@code pauseWriting()} at once; never resumes.
     *
     * @throws IllegalArgumentException when a value is negative or low exceeds high
     */
    void setWriteBufferLimits(Integer high, Integer low);
}
