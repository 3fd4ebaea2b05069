package io.protoloop.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Socket;
import io.protoloop.Connection;
import io.protoloop.DatagramOptions;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.loop.Engine;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.DatagramTransport;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Creates UDP endpoints, asyncio's {@code create_datagram_endpoint}. */
public final class Datagrams {

    /**
     * Receive buffer per datagram. Netty's default (2,048 bytes) truncates larger datagrams; asyncio
     * reads up to 256 KiB. 64 KiB holds the largest UDP payload (65,527 bytes over IPv6).
     */
    static final int RECEIVE_BUFFER_SIZE = 64 * 1024;

    private Datagrams() {
    }

    public static <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> create(
            AbstractLoop loop, Supplier<? extends P> factory, InetSocketAddress localAddr,
            InetSocketAddress remoteAddr, DatagramOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(options, "options");
        SocketProtocolFamily family = family(localAddr, remoteAddr, options.family());
        MemberLoop member = loop.nextMember();
        Engine engine = loop.runtime().engine();
        InetSocketAddress local = localAddr != null ? localAddr
                : new InetSocketAddress(family == SocketProtocolFamily.INET6 ? "::" : "0.0.0.0", 0);
        DatagramChannel[] jdkSocket = new DatagramChannel[1];
        Channel channel;
        try {
            channel = engine.newDatagram(family, jdkSocket);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        channel.config().setAutoRead(false);
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(RECEIVE_BUFFER_SIZE));
        channel.config().setOption(ChannelOption.SO_BROADCAST, options.allowBroadcast());
        if (options.reusePort()) {
            channel.config().setOption(engine.reusePortOption(), true);
        }
        P protocol;
        try {
            protocol = factory.get();
            if (protocol == null) {
                throw new IllegalStateException(
                        "the protocol factory returned null; it must return a new DatagramProtocol");
            }
        } catch (RuntimeException e) {
            channel.unsafe().closeForcibly();
            return CompletableFuture.failedFuture(e);
        }
        DatagramEndpoint endpoint = new DatagramEndpoint(member, channel, jdkSocket[0], protocol, remoteAddr,
                options.writeBufferLimits());
        channel.pipeline().addLast(endpoint);
        CompletableFuture<Connection<DatagramTransport, P>> result = new CompletableFuture<>();
        member.netty().register(channel).addListener((ChannelFuture registered) -> {
            if (!registered.isSuccess()) {
                channel.unsafe().closeForcibly();
                result.completeExceptionally(registered.cause());
                return;
            }
            // Netty's epoll channel, once it knows it is connected, reads with recv() and drops a
            // zero-length datagram as "nothing read"; connected by us instead, it keeps using recvmsg,
            // which delivers them. The kernel-level connection is the same either way.
            boolean connectNatively = remoteAddr != null && engine == Engine.EPOLL;
            ChannelFuture bound = remoteAddr != null && !connectNatively
                    ? channel.connect(remoteAddr, local) : channel.bind(local);
            bound.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    channel.close();
                    result.completeExceptionally(Streams.bindError(remoteAddr != null && localAddr == null
                            ? remoteAddr : local, f.cause()));
                    return;
                }
                InetSocketAddress sockname = (InetSocketAddress) channel.localAddress();
                if (connectNatively) {
                    try {
                        Socket socket = new Socket(engine.datagramFd(channel, null));
                        socket.connect(remoteAddr);
                        // Netty cached the address of the bind; connect() chose the real source address.
                        sockname = socket.localAddress();
                    } catch (IOException e) {
                        channel.close();
                        result.completeExceptionally(e);
                        return;
                    }
                }
                endpoint.start(sockname);
                result.complete(new Connection<>(endpoint, protocol));
            });
        });
        return result;
    }

    private static SocketProtocolFamily family(InetSocketAddress local, InetSocketAddress remote,
                                               StandardProtocolFamily requested) {
        SocketProtocolFamily fromLocal = familyOf(local);
        SocketProtocolFamily fromRemote = familyOf(remote);
        if (fromLocal != null && fromRemote != null && fromLocal != fromRemote) {
            throw new IllegalArgumentException("localAddr " + local + " and remoteAddr " + remote
                    + " are of different address families");
        }
        SocketProtocolFamily fromAddresses = fromLocal != null ? fromLocal : fromRemote;
        if (requested != null) {
            SocketProtocolFamily wanted = SocketProtocolFamily.of(requested);
            if (fromAddresses != null && fromAddresses != wanted) {
                throw new IllegalArgumentException("family " + requested + " does not match the address family of "
                        + (local != null ? local : remote));
            }
            return wanted;
        }
        if (fromAddresses == null) {
            throw new IllegalArgumentException(
                    "unexpected address family: give a localAddr, a remoteAddr or DatagramOptions.family");
        }
        return fromAddresses;
    }

    private static SocketProtocolFamily familyOf(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first "
                    + "(for example with new InetSocketAddress(InetAddress.getByName(host), port))");
        }
        return address.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }
}
