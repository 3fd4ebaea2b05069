package io.protoloop.protocol;

import io.protoloop.transport.DatagramTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The callbacks of a UDP endpoint; asyncio's {@code asyncio.DatagramProtocol}.
 *
 * <p>An exception thrown by {@code datagramReceived} or {@code errorReceived} goes to the loop's
 * exception handler; the endpoint keeps working.
 */
public interface DatagramProtocol extends BaseProtocol<DatagramTransport> {

    /**
     * Called for each datagram received.
     *
     * @param data the payload, read-only and valid only until this method returns
     * @param addr the sender
     */
    default void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
    }

    /**
     * Called when a send or receive failed, for example with a
     * {@link java.net.PortUnreachableException} when a connected endpoint's peer is not listening.
     */
    default void errorReceived(IOException exc) {
    }
}
