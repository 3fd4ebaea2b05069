package io.protoloop.sock;

import java.net.InetSocketAddress;

/**
 * What {@link io.protoloop.EventLoop#sockRecvfromInto} returns, asyncio's {@code (nbytes, address)}
 * tuple.
 *
 * @param nbytes  how many bytes of the datagram were stored in the buffer (the rest of a longer
 *                datagram is discarded, as {@code recvfrom_into} does)
 * @param address the sender
 */
public record ReceivedInto(int nbytes, InetSocketAddress address) {
}
