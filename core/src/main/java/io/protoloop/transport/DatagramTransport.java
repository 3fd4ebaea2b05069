package io.protoloop.transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP endpoint; asyncio's {@code asyncio.DatagramTransport}.
 *
 * <p>{@code sendto} never blocks: a datagram the socket does not take at once is queued. The write
 * buffer counts each queued datagram as its payload plus 8 header bytes (asyncio 3.13, with the fix
 * of gh-135444: the header is added when queued and removed when sent, so the size returns to 0).
 * Flow control is the stream transports': {@code pauseWriting()} strictly over high,
 * {@code resumeWriting()} at or under low. Send errors go to the protocol's {@code errorReceived};
 * they do not close the endpoint.
 *
 * <p>Extra info: {@code "peername"} (connected endpoints), {@code "sockname"}, {@code "socket"}.
 */
public interface DatagramTransport extends BaseTransport {

    /** asyncio's per-datagram header allowance in the write-buffer size. */
    int HEADER_SIZE = 8;

    /**
     * Sends {@code data} to the connected remote address, consuming the buffer.
     *
     * @throws IllegalArgumentException when the endpoint is not connected, or the datagram is larger
     *                                  than UDP allows (65,507 bytes over IPv4, 65,527 over IPv6)
     */
    void sendto(ByteBuffer data);

    /** Sends {@code data} to the connected remote address. */
    void sendto(byte[] data);

    /**
     * Sends {@code data} to {@code addr}, consuming the buffer. Zero-length datagrams are sent.
     *
     * @throws IllegalArgumentException when the endpoint is connected and {@code addr} is not its
     *                                  remote address, or the datagram is too large
     */
    void sendto(ByteBuffer data, SocketAddress addr);

    /** Sends {@code data} to {@code addr}. */
    void sendto(byte[] data, SocketAddress addr);

    /** Closes at once, dropping queued datagrams; {@code connectionLost(null)} follows. */
    void abort();

    /** Bytes queued: each datagram's payload plus {@link #HEADER_SIZE}. */
    int getWriteBufferSize();

    /** The current water marks. */
    WriteBufferLimits getWriteBufferLimits();

    /** Sets the water marks with asyncio's rules; see {@link WriteTransport#setWriteBufferLimits}. */
    void setWriteBufferLimits(Integer high, Integer low);
}
