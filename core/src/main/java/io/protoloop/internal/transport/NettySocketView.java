package io.protoloop.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.protoloop.transport.SocketView;

import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * The {@code "socket"} extra info: JDK socket options mapped onto the channel's options. NIO channels
 * take any JDK option; native channels take the standard ones Netty names the same way
 * ({@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_RCVBUF}, ...).
 */
final class NettySocketView implements SocketView {

    private final Channel channel;
    private final SocketAddress local;
    private final SocketAddress remote;

    NettySocketView(Channel channel, SocketAddress local, SocketAddress remote) {
        this.channel = channel;
        this.local = local;
        this.remote = remote;
    }

    @Override
    public <T> T getOption(SocketOption<T> option) {
        T value = channel.config().getOption(toChannelOption(option));
        if (value == null) {
            throw unsupported(option);
        }
        return value;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        if (!channel.config().setOption(toChannelOption(option), value)) {
            throw unsupported(option);
        }
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @SuppressWarnings("unchecked")
    private <T> ChannelOption<T> toChannelOption(SocketOption<T> option) {
        if (channel instanceof AbstractNioChannel) {
            return NioChannelOption.of(option);
        }
        if (ChannelOption.exists(option.name())) {
            return (ChannelOption<T>) ChannelOption.valueOf(option.name());
        }
        throw unsupported(option);
    }

    private UnsupportedOperationException unsupported(SocketOption<?> option) {
        return new UnsupportedOperationException("socket option " + option.name() + " is not supported by "
                + channel.getClass().getSimpleName());
    }

    @Override
    public String toString() {
        return "SocketView[local=" + local + ", remote=" + remote + "]";
    }
}
