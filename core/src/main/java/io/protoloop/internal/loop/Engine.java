package io.protoloop.internal.loop;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.protoloop.LoopTransport;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

/**
 * One Netty engine: its I/O handler and the channel classes that go with it. Channels of one engine
 * cannot register on another engine's loop, so everything a loop creates comes from here.
 */
public enum Engine {

    NIO(LoopTransport.NIO) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        public Supplier<ServerChannel> serverSocket() {
            return NioServerSocketChannel::new;
        }

        @Override
        public Supplier<Channel> socket() {
            return NioSocketChannel::new;
        }

        @Override
        public Supplier<ServerChannel> serverDomainSocket() {
            return NioServerDomainSocketChannel::new;
        }

        @Override
        public Supplier<Channel> domainSocket() {
            return NioDomainSocketChannel::new;
        }

        @Override
        public SocketAddress unixAddress(UnixDomainSocketAddress address) {
            return address;
        }

        @Override
        public Channel adopt(SocketChannel accepted) throws IOException {
            return isUnix(accepted) ? new NioDomainSocketChannel(accepted) : new NioSocketChannel(accepted);
        }
    },

    EPOLL(LoopTransport.EPOLL) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public Supplier<ServerChannel> serverSocket() {
            return EpollServerSocketChannel::new;
        }

        @Override
        public Supplier<Channel> socket() {
            return EpollSocketChannel::new;
        }

        @Override
        public Supplier<ServerChannel> serverDomainSocket() {
            return EpollServerDomainSocketChannel::new;
        }

        @Override
        public Supplier<Channel> domainSocket() {
            return EpollDomainSocketChannel::new;
        }

        @Override
        public SocketAddress unixAddress(UnixDomainSocketAddress address) {
            return new DomainSocketAddress(address.getPath().toString());
        }

        @Override
        public Channel adopt(SocketChannel accepted) throws IOException {
            boolean unix = isUnix(accepted);
            int fd = FileDescriptors.detach(accepted);
            return unix ? new EpollDomainSocketChannel(fd) : new EpollSocketChannel(fd);
        }
    },

    IO_URING(LoopTransport.IO_URING) {
        @Override
        IoHandlerFactory ioHandlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        public Supplier<ServerChannel> serverSocket() {
            return IoUringServerSocketChannel::new;
        }

        @Override
        public Supplier<Channel> socket() {
            return IoUringSocketChannel::new;
        }

        @Override
        public Supplier<ServerChannel> serverDomainSocket() {
            return IoUringServerDomainSocketChannel::new;
        }

        @Override
        public Supplier<Channel> domainSocket() {
            return IoUringDomainSocketChannel::new;
        }

        @Override
        public SocketAddress unixAddress(UnixDomainSocketAddress address) {
            return new DomainSocketAddress(address.getPath().toString());
        }

        @Override
        public Channel adopt(SocketChannel accepted) throws IOException {
            // Netty's io_uring channels cannot wrap an existing descriptor.
            throw new IOException("connectAcceptedSocket is not supported on the io_uring engine;"
                    + " run the loop with protoloop.loop.transport=epoll or nio");
        }
    };

    private final LoopTransport kind;

    Engine(LoopTransport kind) {
        this.kind = kind;
    }

    /** The public name of this engine. */
    public LoopTransport kind() {
        return kind;
    }

    abstract IoHandlerFactory ioHandlerFactory();

    /** New listening TCP channels. */
    public abstract Supplier<ServerChannel> serverSocket();

    /** New client TCP channels. */
    public abstract Supplier<Channel> socket();

    /** New listening Unix domain socket channels. */
    public abstract Supplier<ServerChannel> serverDomainSocket();

    /** New client Unix domain socket channels. */
    public abstract Supplier<Channel> domainSocket();

    /**
     * A new UDP channel of {@code family}. For NIO the JDK socket is created here and passed in, so
     * {@code jdkSocket} receives it (the JDK object is needed to find the descriptor).
     */
    public Channel newDatagram(SocketProtocolFamily family, DatagramChannel[] jdkSocket) throws IOException {
        switch (this) {
            case EPOLL:
                return new EpollDatagramChannel(family);
            case IO_URING:
                return new IoUringDatagramChannel(family);
            default:
                jdkSocket[0] = DatagramChannel.open(family.toJdkFamily());
                return new NioDatagramChannel(jdkSocket[0]);
        }
    }

    /** The descriptor number of a UDP channel this engine created (the JDK socket for NIO). */
    public int datagramFd(Channel channel, DatagramChannel jdkSocket) throws IOException {
        if (channel instanceof UnixChannel) {
            return ((UnixChannel) channel).fd().intValue();
        }
        return FileDescriptors.of(jdkSocket);
    }

    /** The engine's SO_REUSEPORT option (the JDK's for NIO). */
    public ChannelOption<Boolean> reusePortOption() {
        switch (this) {
            case EPOLL:
                return EpollChannelOption.SO_REUSEPORT;
            case IO_URING:
                return IoUringChannelOption.SO_REUSEPORT;
            default:
                return NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
        }
    }

    /** The engine's form of a Unix socket address. */
    public abstract SocketAddress unixAddress(UnixDomainSocketAddress address);

    /** A channel of this engine owning the connected {@code accepted} socket. */
    public abstract Channel adopt(SocketChannel accepted) throws IOException;

    /**
     * Resolves the requested engine: {@code AUTO} takes epoll when the native library loads, else NIO
     * (io_uring is used only when asked for: it is not faster for this workload on every kernel).
     *
     * @throws IllegalStateException when a native engine is asked for and cannot load, with the cause
     */
    public static Engine select(LoopTransport requested) {
        switch (requested) {
            case NIO:
                return NIO;
            case EPOLL:
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("protoloop.loop.transport=epoll is not available here ("
                            + Epoll.unavailabilityCause() + "); use 'auto' or 'nio'", Epoll.unavailabilityCause());
                }
                return EPOLL;
            case IO_URING:
                if (!IoUring.isAvailable()) {
                    throw new IllegalStateException("protoloop.loop.transport=io_uring is not available here ("
                            + IoUring.unavailabilityCause() + "); use 'auto' or 'nio'", IoUring.unavailabilityCause());
                }
                return IO_URING;
            case AUTO:
            default:
                return Epoll.isAvailable() ? EPOLL : NIO;
        }
    }

    private static boolean isUnix(SocketChannel channel) throws IOException {
        return channel.getLocalAddress() instanceof UnixDomainSocketAddress;
    }

    /** Whether {@code kind} can run on this machine. */
    public static boolean isAvailable(LoopTransport kind) {
        switch (kind) {
            case EPOLL:
                return Epoll.isAvailable();
            case IO_URING:
                return IoUring.isAvailable();
            default:
                return true;
        }
    }
}
