package io.protoloop.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.protoloop.EventLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteBufferLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.Objects;

/**
 * A UDP endpoint: asyncio's {@code _SelectorDatagramTransport} on a Netty datagram channel.
 *
 * <p>Each queued datagram counts its payload plus {@link #HEADER_SIZE} in the write buffer, added
 * when queued and removed when sent or dropped (CPython gh-135444). Receive and send errors go to
 * {@code errorReceived} and never close the endpoint, as in asyncio.
 */
final class DatagramEndpoint extends ChannelInboundHandlerAdapter
        implements DatagramTransport, TransportStatistics, LoopResource {

    private static final Logger LOG = LoggerFactory.getLogger(DatagramEndpoint.class);
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
    /** 65,535 minus the IPv4 (20) and UDP (8) headers. */
    static final int MAX_IPV4_PAYLOAD = 65_507;
    /** 65,535 minus the UDP header; IPv6's header is not counted in its payload length. */
    static final int MAX_IPV6_PAYLOAD = 65_527;

    private final MemberLoop loop;
    private final LoopRuntime runtime;
    private final Channel channel;
    /** The JDK socket under an NIO channel (null for native engines), for its descriptor. */
    private final DatagramChannel jdkSocket;
    private EmptyDatagramSender emptySender;
    private final InetSocketAddress remote;
    private final WriteFlowControl flow;
    private volatile DatagramProtocol protocol;
    private volatile boolean closing;
    private boolean protocolConnected;
    private boolean connectionLostCalled;
    private boolean bufferDropped;
    private int connLost;
    private int pendingWrites;
    private volatile InetSocketAddress sockname;
    private final long id;
    private final Instant openedAt = Instant.now();
    /** Monitoring counters: written on the loop only, read from anywhere. */
    private volatile long bytesReceived;
    private volatile long bytesSent;
    private volatile long datagramsReceived;
    private volatile long datagramsSent;
    private volatile long datagramErrors;

    DatagramEndpoint(MemberLoop loop, Channel channel, DatagramChannel socket,
                     DatagramProtocol protocol, InetSocketAddress remote, WriteBufferLimits limits) {
        this.loop = loop;
        this.runtime = loop.runtime();
        this.channel = channel;
        this.jdkSocket = socket;
        this.protocol = protocol;
        this.remote = remote;
        this.flow = new WriteFlowControl(limits);
        this.id = runtime.nextTransportId();
    }

    /** Called once bound (and connected): asyncio's connection_made, then reading starts. */
    void start(InetSocketAddress localAddress) {
        sockname = localAddress;
        runtime.register(this);
        protocolConnected = true;
        try {
            protocol.connectionMade(this);
        } catch (Throwable t) {
            CallbackErrors.report(runtime, "protocol.connectionMade() failed", t, this, protocol);
        }
        if (!closing) {
            channel.config().setAutoRead(true);
        }
    }

    // ---- receiving ------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            if (connLost > 0 || closing) {
                return;
            }
            ByteBuf content = packet.content();
            datagramsReceived++;
            bytesReceived += content.readableBytes();
            ByteBuffer view = content.nioBuffer().asReadOnlyBuffer();
            DatagramProtocol p = protocol;
            try {
                p.datagramReceived(view, packet.sender());
            } catch (Throwable t) {
                CallbackErrors.report(runtime, "protocol.datagramReceived() failed", t, this, p);
            }
        } finally {
            packet.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            errorReceived(asJdkError((IOException) cause));
        } else {
            fatalError(cause, "Fatal read error on datagram transport");
        }
    }

    /**
     * The engines report an ICMP port-unreachable on a connected socket differently (NIO throws
     * {@link PortUnreachableException}, native engines an errno exception "Connection refused");
     * the protocol always gets {@link PortUnreachableException}.
     */
    private static IOException asJdkError(IOException e) {
        if (!(e instanceof PortUnreachableException) && e.getMessage() != null
                && e.getMessage().contains("Connection refused")) {
            PortUnreachableException p = new PortUnreachableException(e.getMessage());
            p.initCause(e);
            return p;
        }
        return e;
    }

    private void errorReceived(IOException exc) {
        datagramErrors++;
        DatagramProtocol p = protocol;
        if (p == null || connLost > 0) {
            return;
        }
        try {
            p.errorReceived(exc);
        } catch (Throwable t) {
            CallbackErrors.report(runtime, "protocol.errorReceived() failed", t, this, p);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connLost == 0 && protocolConnected) {
            connLost = 1;
            closing = true;
            callConnectionLost(null);
        }
    }

    // ---- sending --------------------------------------------------------------------------------

    @Override
    public void sendto(ByteBuffer data) {
        sendto(data, null);
    }

    @Override
    public void sendto(byte[] data) {
        sendto(ByteBuffer.wrap(Objects.requireNonNull(data, "data")), null);
    }

    @Override
    public void sendto(byte[] data, SocketAddress addr) {
        sendto(ByteBuffer.wrap(Objects.requireNonNull(data, "data")), addr);
    }

    @Override
    public void sendto(ByteBuffer data, SocketAddress addr) {
        Objects.requireNonNull(data, "data");
        InetSocketAddress target = target(addr);
        int max = maxPayload(target);
        if (data.remaining() > max) {
            throw new IllegalArgumentException("datagram of " + data.remaining() + " bytes is larger than UDP allows ("
                    + max + " bytes to " + target + "); split it");
        }
        ByteBuf buf = channel.alloc().directBuffer(data.remaining());
        buf.writeBytes(data);
        if (loop.inLoop()) {
            send(buf, target);
        } else if (!loop.runOnLoopUnlessClosed(() -> send(buf, target))) {
            buf.release();
        }
    }

    private InetSocketAddress target(SocketAddress addr) {
        if (addr != null && !(addr instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("addr must be an InetSocketAddress, was " + addr.getClass().getName());
        }
        if (remote != null) {
            if (addr != null && !addr.equals(remote)) {
                throw new IllegalArgumentException("Invalid address: must be null or " + remote + " (the endpoint is "
                        + "connected), was " + addr);
            }
            return remote;
        }
        if (addr == null) {
            throw new IllegalArgumentException("the endpoint is not connected: sendto needs an address");
        }
        return (InetSocketAddress) addr;
    }

    private static int maxPayload(InetSocketAddress target) {
        return target.getAddress() instanceof Inet6Address ? MAX_IPV6_PAYLOAD : MAX_IPV4_PAYLOAD;
    }

    private void send(ByteBuf buf, InetSocketAddress target) {
        if (connLost > 0) {
            buf.release();
            if (connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.warn("sendto() on a closed datagram transport: datagram dropped ({})", this);
            }
            connLost++;
            return;
        }
        if (!buf.isReadable()) {
            buf.release();
            sendEmpty(target);
            return;
        }
        int counted = buf.readableBytes() + HEADER_SIZE;
        flow.add(counted);
        pendingWrites++;
        Object msg = remote != null ? buf : new DatagramPacket(buf, target);
        channel.writeAndFlush(msg).addListener((ChannelFuture f) -> sent(f, counted));
        if (flow.shouldPause()) {
            CallbackErrors.pauseWriting(runtime, this, protocol);
        }
    }

    /**
     * Netty's datagram channels skip empty datagrams ({@code if (dataLen == 0) return true;});
     * asyncio sends them (gh-113812), so they go to the socket directly.
     */
    private void sendEmpty(InetSocketAddress target) {
        if (pendingWrites > 0) {
            // Keep datagram order: the empty one goes after what is queued, counted as asyncio counts
            // every queued datagram (payload + 8, here just the 8).
            pendingWrites++;
            flow.add(HEADER_SIZE);
            channel.writeAndFlush(channel.alloc().buffer(0)).addListener((ChannelFuture f) -> {
                trySendEmpty(target);
                sent(f, HEADER_SIZE);
            });
            if (flow.shouldPause()) {
                CallbackErrors.pauseWriting(runtime, this, protocol);
            }
            return;
        }
        trySendEmpty(target);
    }

    private void trySendEmpty(InetSocketAddress target) {
        try {
            if (channel.isOpen()) {
                if (emptySender == null) {
                    emptySender = EmptyDatagramSender.create(runtime.engine(), channel, jdkSocket);
                }
                emptySender.send(target);
                datagramsSent++;
            }
        } catch (IOException e) {
            errorReceived(asJdkError(e));
        }
    }

    private void sent(ChannelFuture f, int counted) {
        pendingWrites--;
        // An empty datagram (counted = the header alone) was counted when trySendEmpty sent it.
        if (f.isSuccess() && counted > HEADER_SIZE) {
            datagramsSent++;
            bytesSent += counted - HEADER_SIZE;
        }
        if (!bufferDropped) {
            flow.remove(counted);
        }
        if (!f.isSuccess() && connLost == 0) {
            Throwable cause = f.cause();
            if (cause instanceof IOException) {
                errorReceived(asJdkError((IOException) cause));
            } else {
                fatalError(cause, "Fatal write error on datagram transport");
                return;
            }
        }
        if (connLost == 0 && flow.shouldResume()) {
            CallbackErrors.resumeWriting(runtime, this, protocol);
        }
        if (pendingWrites == 0 && closing && !connectionLostCalled) {
            connLost++;
            callConnectionLost(null);
        }
    }

    @Override
    public int getWriteBufferSize() {
        return flow.reportedSize(loop.inLoop());
    }

    @Override
    public WriteBufferLimits getWriteBufferLimits() {
        return flow.limits();
    }

    @Override
    public void setWriteBufferLimits(Integer high, Integer low) {
        WriteBufferLimits limits = WriteBufferLimits.of(high, low);
        onLoop(() -> {
            flow.limits(limits);
            if (flow.shouldPause()) {
                CallbackErrors.pauseWriting(runtime, this, protocol);
            }
        });
    }

    // ---- closing --------------------------------------------------------------------------------

    @Override
    public boolean isClosing() {
        return closing;
    }

    /** asyncio's close(): stop receiving, send what is queued, then lose the connection. */
    @Override
    public void close() {
        onLoop(() -> {
            if (closing) {
                return;
            }
            closing = true;
            channel.config().setAutoRead(false);
            if (pendingWrites == 0) {
                connLost++;
                loop.netty().execute(() -> callConnectionLost(null));
            }
        });
    }

    @Override
    public void abort() {
        onLoop(() -> forceClose(null));
    }

    @Override
    public void abortOnLoopClose() {
        onLoop(() -> {
            forceClose(null);
            channel.close();
        });
    }

    private void forceClose(Throwable exc) {
        if (connLost > 0) {
            return;
        }
        flow.clear();
        bufferDropped = true;
        closing = true;
        channel.config().setAutoRead(false);
        connLost++;
        loop.netty().execute(() -> callConnectionLost(exc));
    }

    private void fatalError(Throwable exc, String message) {
        if (!(exc instanceof IOException)) {
            CallbackErrors.report(runtime, message, exc, this, protocol);
        }
        forceClose(exc);
    }

    private void callConnectionLost(Throwable exc) {
        if (connectionLostCalled) {
            return;
        }
        connectionLostCalled = true;
        try {
            if (protocolConnected) {
                protocol.connectionLost(exc);
            }
        } catch (Throwable t) {
            CallbackErrors.report(runtime, "protocol.connectionLost() failed", t, this, protocol);
        } finally {
            protocol = null;
            closing = true;
            channel.close();
            runtime.unregister(this);
        }
    }

    /** The Netty channel; tests put a handler in front of the socket to hold sends the kernel would. */
    Channel channel() {
        return channel;
    }

    // ---- monitoring -----------------------------------------------------------------------------

    @Override
    public TransportSnapshot snapshot() {
        return new TransportSnapshot(id, "udp", remote, sockname, false, false, flow.paused(), closing,
                getWriteBufferSize(), flow.limits(), bytesReceived, bytesSent, datagramsReceived, datagramsSent,
                datagramErrors, openedAt);
    }

    // ---- the rest of BaseTransport --------------------------------------------------------------

    @Override
    public <T> T getExtraInfo(String name) {
        return getExtraInfo(name, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getExtraInfo(String name, T defaultValue) {
        switch (Objects.requireNonNull(name, "name")) {
            case "peername":
                return remote != null ? (T) remote : defaultValue;
            case "sockname":
                return (T) sockname;
            case "socket":
                return (T) new NettySocketView(channel, sockname, remote);
            default:
                return defaultValue;
        }
    }

    @Override
    public void setProtocol(BaseProtocol<?> newProtocol) {
        DatagramProtocol p = Protocols.require(newProtocol, DatagramProtocol.class, "datagram");
        onLoop(() -> protocol = p);
    }

    @Override
    public BaseProtocol<?> getProtocol() {
        return protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    private void onLoop(Runnable action) {
        loop.runOnLoopUnlessClosed(action);
    }

    @Override
    public String toString() {
        return "DatagramTransport[local=" + sockname + (remote != null ? ", remote=" + remote : "")
                + (closing ? ", closing" : "") + "]";
    }
}
