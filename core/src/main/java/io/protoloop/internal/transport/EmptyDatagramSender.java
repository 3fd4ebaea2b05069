package io.protoloop.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import io.protoloop.internal.loop.Engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Sends zero-length datagrams, which Netty's datagram channels skip ({@code if (dataLen == 0)
 * return true;} in NIO's and epoll's {@code doWriteMessage}) and asyncio sends (gh-113812).
 *
 * <p>Why a raw {@code sendto} on the channel's descriptor: the JDK also skips a zero-byte write on a
 * connected socket. Netty's native {@link Socket} issues the syscall, without owning the descriptor.
 * Without the native library (not Linux) the JDK's {@code send} is used, which covers unconnected
 * endpoints only.
 */
final class EmptyDatagramSender {

    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final Socket nativeSocket;
    private final DatagramChannel jdkSocket;

    private EmptyDatagramSender(Socket nativeSocket, DatagramChannel jdkSocket) {
        this.nativeSocket = nativeSocket;
        this.jdkSocket = jdkSocket;
    }

    static EmptyDatagramSender create(Engine engine, Channel channel, DatagramChannel jdkSocket) throws IOException {
        if (Epoll.isAvailable()) {
            return new EmptyDatagramSender(new Socket(engine.datagramFd(channel, jdkSocket)), null);
        }
        return new EmptyDatagramSender(null, jdkSocket);
    }

    void send(InetSocketAddress to) throws IOException {
        if (nativeSocket != null) {
            nativeSocket.sendTo(EMPTY, 0, 0, to.getAddress(), to.getPort());
        } else {
            jdkSocket.send(ByteBuffer.allocate(0), to);
        }
    }
}
