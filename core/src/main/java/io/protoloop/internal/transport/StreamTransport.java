package io.protoloop.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.protoloop.EventLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.SocketView;
import io.protoloop.transport.Transport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteBufferLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A TCP or Unix-socket transport: asyncio's {@code _SelectorSocketTransport} state machine on a Netty
 * channel. It is the channel's only handler and speaks to the protocol directly.
 *
 * <p>Where Netty's behaviour differs from asyncio's, this class restores asyncio's:
 * <ul>
 * <li>Flow control counts payload bytes not yet taken by the kernel (progress of partial writes
 * included), pauses strictly over high only after the write was attempted, resumes at or under low.
 * Netty's own watermarks (entry overhead, {@code < low}) are not used.</li>
 * <li>{@code close()} and {@code writeEof()} wait for every pending write to complete: Netty's
 * {@code close()}/{@code shutdownOutput()} would fail them.</li>
 * <li>Bytes the engine reads while the protocol is paused (epoll drains after RDHUP, io_uring
 * completes in-flight reads) wait in a hold queue, and so does EOF.</li>
 * </ul>
 * Every field is confined to the loop thread, except the few read for reporting from elsewhere.
 */
public final class StreamTransport extends ChannelInboundHandlerAdapter
        implements Transport, TransportStatistics, LoopResource {

    private static final Logger LOG = LoggerFactory.getLogger(StreamTransport.class);

    /** asyncio's {@code LOG_THRESHOLD_FOR_CONNLOST_WRITES}. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    /** Plaintext chunk of the TLS sendfile fallback: one default high-water mark, so it never pauses. */
    private static final int SENDFILE_CHUNK = 64 * 1024;

    private final MemberLoop loop;
    private final LoopRuntime runtime;
    private final Channel channel;
    private final Supplier<? extends BaseProtocol<Transport>> factory;
    private final StreamListener listener;
    private final WriteFlowControl flow;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    /** The TLS layer below this transport, or null for plain TCP/Unix. */
    private final TlsLayer tls;
    /** For a transport made by startTls: the protocol it inherits, without a new connectionMade. */
    private final BaseProtocol<Transport> inherited;
    private BaseProtocol<Transport> protocol;
    private BufferedReceiver bufferedReceiver;

    private boolean protocolConnected;
    /** Whether the protocol was attached (after the TLS handshake, when there is one). */
    private boolean activated;
    /** startTls moved the connection to a new transport; this one no longer does anything. */
    private volatile boolean upgraded;
    private volatile boolean closing;
    private volatile boolean readingPaused;
    private boolean eof;
    private boolean outputShut;
    private boolean pendingEof;
    private boolean eofSeen;
    /** A startTls waiting for the buffered writes to be flushed. */
    private Runnable afterDrain;
    private boolean connectionLostCalled;
    private boolean sendfileInProgress;
    /** Set by force-close: the buffer was dropped, so completions of failed writes count nothing. */
    private boolean bufferDropped;
    /** asyncio's {@code _conn_lost}: set once the transport is lost, counts writes dropped after. */
    private int connLost;
    private int pendingWrites;

    /** The inbound buffer being delivered, so that writing its view back can skip a copy. */
    private ByteBuf currentInbound;
    private ByteBuffer currentView;

    private final long id;
    private final Instant openedAt = Instant.now();
    /** Monitoring counters: written on the loop only, read from anywhere (a recent value is enough). */
    private volatile long bytesReceived;
    private volatile long bytesSent;

    private volatile SocketAddress peername;
    private volatile SocketAddress sockname;

    StreamTransport(MemberLoop loop, Channel channel, Supplier<? extends BaseProtocol<Transport>> factory,
                    WriteBufferLimits limits, StreamListener listener, TlsLayer tls) {
        this(loop, channel, factory, null, limits, listener, tls);
    }

    private StreamTransport(MemberLoop loop, Channel channel, Supplier<? extends BaseProtocol<Transport>> factory,
                            BaseProtocol<Transport> inherited, WriteBufferLimits limits, StreamListener listener,
                            TlsLayer tls) {
        this.loop = loop;
        this.runtime = loop.runtime();
        this.channel = channel;
        this.factory = factory;
        this.inherited = inherited;
        this.listener = listener;
        this.flow = new WriteFlowControl(limits);
        this.tls = tls;
        this.id = runtime.nextTransportId();
    }

    Channel channel() {
        return channel;
    }

    /** Closes a connection whose TLS handshake has not finished: it ends as a failed handshake. */
    void closeHandshaking() {
        onLoop(() -> {
            if (!activated) {
                closeAtOnce();
            }
        });
    }

    // ---- Netty events ---------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peername = Addresses.toJdk(channel.remoteAddress());
        sockname = Addresses.toJdk(channel.localAddress());
        // Over TLS, asyncio calls connection_made once the handshake succeeded.
        if (tls == null) {
            activate();
        } else {
            listener.handshaking(this);
            // Reading is off until connectionMade; the handshake needs one read to start, then
            // SslHandler keeps reading until it completes.
            ctx.read();
        }
    }

    /** The connection is usable: attach the protocol, call connectionMade, start reading. */
    private void activate() {
        activated = true;
        BaseProtocol<Transport> created;
        if (inherited != null) {
            created = inherited;
        } else {
            try {
                created = Protocols.create(factory);
            } catch (Throwable t) {
                connLost = 1;
                connectionLostCalled = true;
                channel.close();
                listener.failed(this, t);
                return;
            }
        }
        attachProtocol(created);
        runtime.register(this);
        listener.attached(this);
        protocolConnected = true;
        if (inherited == null) {
            try {
                protocol.connectionMade(this);
            } catch (Throwable t) {
                reportCallbackError("protocol.connectionMade() failed", t);
            }
        }
        // asyncio starts reading only after connection_made, and not if it paused or closed.
        if (!closing && !readingPaused) {
            drainHeld();
            channel.config().setAutoRead(true);
        }
        listener.ready(this, protocol);
    }

    /**
     * The TLS handshake failed before any protocol saw the connection: asyncio reports it to the
     * waiter (the connect or startTls future) and only debug-logs it on a server.
     */
    private void handshakeFailed(Throwable cause) {
        activated = true;
        connLost = 1;
        closing = true;
        connectionLostCalled = true;
        releaseHeld();
        channel.close();
        if (inherited != null) {
            // The protocol was connected through the plain transport: its connection ends here.
            try {
                inherited.connectionLost(cause);
            } catch (Throwable t) {
                reportCallbackError("protocol.connectionLost() failed", t);
            }
        }
        listener.handshakeFailed(this, cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        bytesReceived += buf.readableBytes();
        if (bufferedReceiver != null && bufferedReceiver.owns(buf)) {
            bufferedReceiver.received(buf);
            return;
        }
        if (connLost > 0 || closing) {
            // asyncio removes the reader on close: bytes read after it are not delivered.
            buf.release();
            return;
        }
        if (!activated || readingPaused || !held.isEmpty()) {
            held.add(buf);
            return;
        }
        deliver(buf);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
            if (!activated) {
                if (done.isSuccess()) {
                    activate();
                } else {
                    handshakeFailed(Tls.unwrap(done.cause()));
                }
            }
            return;
        }
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            EpollHalfClosure.keepRegistered(channel);
            return;
        }
        if (evt instanceof SslCloseCompletionEvent || evt == ChannelInputShutdownReadComplete.INSTANCE) {
            // TLS can signal the end twice (close_notify, then the FIN); the protocol hears it once.
            if (!activated || eofSeen) {
                return;
            }
            eofSeen = true;
            if (connLost > 0 || closing) {
                return;
            }
            if (readingPaused || !held.isEmpty()) {
                pendingEof = true;
            } else {
                eofReceived();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!activated) {
            // A TLS handshake error: the handshake completion event reports it.
            return;
        }
        fatalError(Tls.unwrap(cause), "Fatal read error on socket transport");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!activated && tls != null) {
            handshakeFailed(new javax.net.ssl.SSLHandshakeException("connection closed during the TLS handshake"));
            return;
        }
        if (connLost == 0 && protocolConnected) {
            connLost = 1;
            closing = true;
            callConnectionLost(null);
        }
        releaseHeld();
    }

    // ---- reading --------------------------------------------------------------------------------

    private void deliver(ByteBuf buf) {
        BaseProtocol<Transport> p = protocol;
        try {
            if (p instanceof Protocol) {
                ByteBuffer view = buf.nioBuffer().asReadOnlyBuffer();
                currentInbound = buf;
                currentView = view;
                long start = runtime.debug() ? System.nanoTime() : 0L;
                ((Protocol) p).dataReceived(view);
                if (start != 0L) {
                    runtime.reportIfSlow(p.getClass().getName() + ".dataReceived", System.nanoTime() - start);
                }
            } else {
                feedBuffered((BufferedProtocol) p, buf);
            }
        } catch (Throwable t) {
            fatalError(t, "Fatal error: protocol.dataReceived() call failed.");
        } finally {
            currentInbound = null;
            currentView = null;
            buf.release();
        }
    }

    /**
     * asyncio's {@code _feed_data_to_buffered_proto}: copies {@code buf} into as many
     * {@code getBuffer} buffers as it takes. Used for held bytes and when zero-copy receive is off.
     */
    private void feedBuffered(BufferedProtocol p, ByteBuf buf) {
        while (buf.isReadable() && protocol == p && connLost == 0) {
            ByteBuffer target = Protocols.bufferFrom(p, buf.readableBytes());
            int n = Math.min(target.remaining(), buf.readableBytes());
            buf.getBytes(buf.readerIndex(), target.duplicate().limit(target.position() + n));
            buf.skipBytes(n);
            p.bufferUpdated(n);
        }
    }

    private void eofReceived() {
        boolean keepOpen;
        try {
            BaseProtocol<Transport> p = protocol;
            keepOpen = p instanceof Protocol ? ((Protocol) p).eofReceived() : ((BufferedProtocol) p).eofReceived();
        } catch (Throwable t) {
            fatalError(t, "Fatal error: protocol.eofReceived() call failed.");
            return;
        }
        if (keepOpen && tls != null) {
            LOG.warn("returning true from eofReceived() has no effect when using TLS; closing {}", this);
            keepOpen = false;
        }
        if (!keepOpen) {
            closeOnLoop();
        }
        // keepOpen: the input is already shut, so reading has stopped by itself.
    }

    private void drainHeld() {
        ByteBuf buf;
        while (!readingPaused && !closing && (buf = held.poll()) != null) {
            deliver(buf);
        }
        if (held.isEmpty() && pendingEof && !readingPaused && !closing) {
            pendingEof = false;
            eofReceived();
        }
    }

    private void releaseHeld() {
        ByteBuf buf;
        while ((buf = held.poll()) != null) {
            buf.release();
        }
        if (bufferedReceiver != null) {
            bufferedReceiver.releasePending();
        }
    }

    /** Whether reads may go straight into the protocol's buffer right now. */
    boolean receivesDirectly() {
        return !readingPaused && !closing && connLost == 0 && held.isEmpty();
    }

    LoopRuntime runtime() {
        return runtime;
    }

    // ---- writing --------------------------------------------------------------------------------

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (upgraded) {
            LOG.warn("write() on {}, which startTls upgraded: data dropped; use the transport startTls returned", this);
            data.position(data.limit());
            return;
        }
        if (loop.inLoop()) {
            if (eof) {
                throw new IllegalStateException("Cannot call write() after writeEof()");
            }
            if (sendfileInProgress) {
                throw new IllegalStateException("unable to write; sendfile is in progress");
            }
            if (!data.hasRemaining()) {
                return;
            }
            if (dropWriteAfterLost()) {
                data.position(data.limit());
                return;
            }
            enqueue(take(data));
            afterWrite();
        } else {
            // Copy in the caller's thread: it may reuse its buffer as soon as write() returns.
            if (!data.hasRemaining()) {
                return;
            }
            ByteBuf copy = copy(data);
            if (!loop.runOnLoopUnlessClosed(() -> writeFromOtherThread(copy))) {
                copy.release();
            }
        }
    }

    @Override
    public void write(byte[] data) {
        write(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    @Override
    public void writelines(Iterable<ByteBuffer> data) {
        Objects.requireNonNull(data, "data");
        for (ByteBuffer b : data) {
            write(b);
        }
    }

    private void writeFromOtherThread(ByteBuf copy) {
        if (eof || sendfileInProgress) {
            copy.release();
            reportCallbackError(eof ? "Cannot call write() after writeEof()" : "unable to write; sendfile is in progress",
                    new IllegalStateException(eof ? "Cannot call write() after writeEof()"
                            : "unable to write; sendfile is in progress"));
            return;
        }
        if (dropWriteAfterLost()) {
            copy.release();
            return;
        }
        enqueue(copy);
        afterWrite();
    }

    private boolean dropWriteAfterLost() {
        if (connLost == 0) {
            return false;
        }
        if (connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
            LOG.warn("write() on a closed transport: data dropped ({})", this);
        }
        connLost++;
        return true;
    }

    /** The bytes to send for {@code data}: a slice of the inbound buffer when echoing it, else a copy. */
    private ByteBuf take(ByteBuffer data) {
        ByteBuf buf;
        if (data == currentView && currentInbound != null) {
            buf = currentInbound.retainedSlice(currentInbound.readerIndex() + data.position(), data.remaining());
        } else {
            buf = channel.alloc().directBuffer(data.remaining());
            buf.writeBytes(data.duplicate());
        }
        data.position(data.limit());
        return buf;
    }

    private ByteBuf copy(ByteBuffer data) {
        ByteBuf buf = channel.alloc().directBuffer(data.remaining());
        buf.writeBytes(data);
        return buf;
    }

    /** Hands {@code buf} to Netty, which tries the socket at once; counts what it did not take. */
    private ChannelProgressivePromise enqueue(ByteBuf buf) {
        int size = buf.readableBytes();
        flow.add(size);
        pendingWrites++;
        ChannelProgressivePromise promise = channel.newProgressivePromise();
        promise.addListener(new WriteTracker(size));
        channel.writeAndFlush(buf, promise);
        return promise;
    }

    /** asyncio judges pause after the send attempt: one big write the kernel takes whole never pauses. */
    private void afterWrite() {
        if (flow.shouldPause()) {
            CallbackErrors.pauseWriting(runtime, this, protocol);
        }
    }

    /** Tracks one write: partial progress and completion both reduce the buffered count. */
    private final class WriteTracker implements ChannelProgressiveFutureListener {
        private final int size;
        private long counted;

        WriteTracker(int size) {
            this.size = size;
        }

        @Override
        public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
            // Over TLS the progress is of the encrypted record, which is larger than the plaintext.
            long plain = Math.min(progress, size);
            long delta = plain - counted;
            counted = plain;
            if (delta > 0) {
                bytesSent += delta;
                written(delta);
            }
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture future) {
            long rest = size - counted;
            counted = size;
            pendingWrites--;
            if (future.isSuccess()) {
                bytesSent += rest;
            }
            written(rest);
            if (!future.isSuccess() && connLost == 0) {
                fatalError(future.cause(), "Fatal write error on socket transport");
                return;
            }
            if (pendingWrites == 0) {
                drained();
            }
        }
    }

    private void written(long bytes) {
        if (bufferDropped) {
            return;
        }
        flow.remove(bytes);
        if (flow.shouldResume()) {
            CallbackErrors.resumeWriting(runtime, this, protocol);
        }
    }

    /** Every pending write completed: finish a close, writeEof or startTls that waited for it. */
    private void drained() {
        if (connectionLostCalled) {
            return;
        }
        if (afterDrain != null) {
            Runnable next = afterDrain;
            afterDrain = null;
            next.run();
            return;
        }
        if (closing) {
            connLost++;
            callConnectionLost(null);
        } else if (eof && !outputShut) {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        outputShut = true;
        if (channel instanceof DuplexChannel) {
            ((DuplexChannel) channel).shutdownOutput().addListener(f -> {
                if (!f.isSuccess() && connLost == 0) {
                    fatalError(f.cause(), "Fatal error on shutdown of the write side");
                }
            });
        }
    }

    @Override
    public boolean canWriteEof() {
        return tls == null && channel instanceof DuplexChannel;
    }

    @Override
    public void writeEof() {
        if (tls != null) {
            throw new UnsupportedOperationException("TLS transports do not support half-closes (writeEof)");
        }
        onLoop(() -> {
            if (closing || eof) {
                return;
            }
            eof = true;
            if (pendingWrites == 0) {
                shutdownOutput();
            }
        });
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

    // ---- sendfile -------------------------------------------------------------------------------

    /** Sends part of a file after the buffered data; see {@code EventLoop.sendfile}. */
    public CompletableFuture<Long> sendfile(FileChannel file, long offset, long count) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        onLoop(() -> {
            if (closing || connLost > 0) {
                result.completeExceptionally(new IllegalStateException("Transport is closing"));
                return;
            }
            if (eof) {
                result.completeExceptionally(new IllegalStateException("Cannot call sendfile() after writeEof()"));
                return;
            }
            if (sendfileInProgress) {
                result.completeExceptionally(new IllegalStateException("sendfile is already in progress"));
                return;
            }
            if (count == 0) {
                result.complete(0L);
                return;
            }
            sendfileInProgress = true;
            pendingWrites++;
            if (tls == null) {
                channel.writeAndFlush(new UserFileRegion(file, offset, count)).addListener((ChannelFuture f) ->
                        finishSendfile(file, offset, count, f.isSuccess() ? null : f.cause(), result));
            } else {
                sendChunks(file, offset, offset + count, offset, result);
            }
        });
        return result;
    }

    /**
     * TLS must encrypt in user space, so the file goes through plaintext chunks (asyncio's
     * {@code _sendfile_fallback}); each chunk is read on the default executor, off the loop, and the
     * next is read once the previous one was written.
     */
    private void sendChunks(FileChannel file, long position, long end, long offset, CompletableFuture<Long> result) {
        if (position >= end || connLost > 0) {
            finishSendfile(file, offset, position - offset, connLost > 0 ? new IOException("connection lost") : null,
                    result);
            return;
        }
        int n = (int) Math.min(SENDFILE_CHUNK, end - position);
        ByteBuf chunk = channel.alloc().directBuffer(n);
        loop.runInExecutor(null, () -> chunk.writeBytes(file, position, n)).whenComplete((read, error) ->
                loop.runOnLoop(() -> {
                    if (error != null || read <= 0 || connLost > 0) {
                        chunk.release();
                        finishSendfile(file, offset, position - offset, error, result);
                        return;
                    }
                    enqueue(chunk).addListener(f -> {
                        if (f.isSuccess()) {
                            sendChunks(file, position + read, end, offset, result);
                        } else {
                            finishSendfile(file, offset, position - offset, f.cause(), result);
                        }
                    });
                }));
    }

    private void finishSendfile(FileChannel file, long offset, long sent, Throwable error,
                                CompletableFuture<Long> result) {
        sendfileInProgress = false;
        pendingWrites--;
        if (error == null) {
            try {
                file.position(offset + sent);
                result.complete(sent);
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        } else {
            result.completeExceptionally(error);
            if (connLost == 0) {
                fatalError(error, "Fatal error during sendfile");
                return;
            }
        }
        if (pendingWrites == 0) {
            drained();
        }
    }

    // ---- startTls -------------------------------------------------------------------------------

    /**
     * asyncio's {@code start_tls}: once everything written so far is flushed, a TLS layer goes under
     * a new transport that takes over the channel and {@code next} protocol; this one goes inert.
     */
    CompletableFuture<Transport> startTls(BaseProtocol<Transport> next, TlsLayer layer) {
        CompletableFuture<Transport> result = new CompletableFuture<>();
        onLoop(() -> {
            if (closing || connLost > 0) {
                result.completeExceptionally(new IllegalStateException("startTls on a closing transport " + this));
            } else if (tls != null) {
                result.completeExceptionally(new IllegalStateException("the transport already uses TLS: " + this));
            } else if (eof || sendfileInProgress) {
                result.completeExceptionally(new IllegalStateException(
                        "startTls after writeEof() or during sendfile: " + this));
            } else if (pendingWrites > 0) {
                afterDrain = () -> upgrade(next, layer, result);
            } else {
                upgrade(next, layer, result);
            }
        });
        return result;
    }

    private void upgrade(BaseProtocol<Transport> next, TlsLayer layer, CompletableFuture<Transport> result) {
        StreamTransport old = this;
        StreamListener handover = new StreamListener() {
            @Override
            public void attached(StreamTransport transport) {
                listener.handedOver(old, transport);
            }

            @Override
            public void ready(StreamTransport transport, BaseProtocol<Transport> protocol) {
                result.complete(transport);
            }

            @Override
            public void failed(StreamTransport transport, Throwable cause) {
                listener.lost(old);
                result.completeExceptionally(cause);
            }

            @Override
            public void lost(StreamTransport transport) {
                listener.lost(transport);
            }
        };
        StreamTransport upgradedTransport = new StreamTransport(loop, channel, null, next, flow.limits(), handover,
                layer);
        upgradedTransport.peername = peername;
        upgradedTransport.sockname = sockname;
        upgraded = true;
        protocol = null;
        runtime.unregister(this);
        channel.config().setAutoRead(false);
        channel.pipeline().replace(this, null, upgradedTransport);
        // Bytes read before the upgrade but not yet delivered are the peer's first TLS records.
        channel.pipeline().addFirst(layer.handler());
        ByteBuf buf;
        while ((buf = held.poll()) != null) {
            channel.pipeline().fireChannelRead(buf);
        }
        channel.pipeline().fireChannelReadComplete();
    }

    // ---- reading control ------------------------------------------------------------------------

    @Override
    public boolean isReading() {
        return !closing && !readingPaused;
    }

    @Override
    public void pauseReading() {
        onLoop(() -> {
            if (closing || readingPaused) {
                return;
            }
            readingPaused = true;
            channel.config().setAutoRead(false);
        });
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            if (closing || !readingPaused) {
                return;
            }
            readingPaused = false;
            drainHeld();
            // After the peer's EOF there is nothing left to read from the socket.
            if (!closing && !readingPaused && !eofSeen) {
                channel.config().setAutoRead(true);
            }
        });
    }

    // ---- closing --------------------------------------------------------------------------------

    @Override
    public boolean isClosing() {
        return closing;
    }

    @Override
    public void close() {
        onLoop(this::closeOnLoop);
    }

    /** asyncio's {@code close()}: stop reading; lose the connection now if nothing is pending. */
    private void closeOnLoop() {
        if (closing) {
            return;
        }
        closing = true;
        stopReading();
        if (pendingWrites == 0) {
            connLost++;
            loop.netty().execute(() -> callConnectionLost(null));
        }
    }

    @Override
    public void abort() {
        onLoop(() -> forceClose(null));
    }

    /** asyncio's {@code _force_close}: drop the buffer, lose the connection soon with {@code exc}. */
    void forceClose(Throwable exc) {
        if (connLost > 0) {
            return;
        }
        flow.clear();
        bufferDropped = true;
        if (!closing) {
            closing = true;
            stopReading();
        }
        connLost++;
        loop.netty().execute(() -> callConnectionLost(exc));
    }

    /**
     * asyncio's {@code _fatal_error}: report unless it is an I/O error (a peer reset is not a bug),
     * then force-close so {@code connectionLost} receives {@code exc}.
     */
    private void fatalError(Throwable exc, String message) {
        if (!(exc instanceof IOException)) {
            CallbackErrors.report(runtime, message, exc, this, protocol);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {}", this, message, exc);
        }
        forceClose(exc);
    }

    private void stopReading() {
        if (channel.isOpen()) {
            channel.config().setAutoRead(false);
        }
        pendingEof = false;
        releaseHeld();
    }

    /** asyncio's {@code _call_connection_lost}: the protocol hears once, then the socket closes. */
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
            reportCallbackError("protocol.connectionLost() failed", t);
        } finally {
            protocol = null;
            readingPaused = false;
            closing = true;
            releaseHeld();
            if (bufferDropped) {
                closeAtOnce();
            } else {
                channel.close();
            }
            runtime.unregister(this);
            listener.lost(this);
        }
    }

    @Override
    public void abortOnLoopClose() {
        onLoop(() -> {
            forceClose(null);
            closeAtOnce();
        });
    }

    /**
     * Closes the socket now. Over TLS a plain {@code channel.close()} goes through the SslHandler, which
     * sends close_notify and then waits up to the shutdown timeout for the peer's; asyncio's abort and
     * fatal errors close the socket at once, so they start below the SslHandler.
     */
    private void closeAtOnce() {
        ChannelHandlerContext ssl = tls == null ? null : channel.pipeline().context(tls.handler());
        if (ssl != null) {
            ssl.close();
        } else {
            channel.close();
        }
    }

    // ---- protocol plumbing ----------------------------------------------------------------------

    private void attachProtocol(BaseProtocol<Transport> p) {
        protocol = p;
        // Over TLS the socket reads ciphertext: buffered protocols get the plaintext through a copy.
        if (p instanceof BufferedProtocol && bufferedReceiver == null && tls == null) {
            bufferedReceiver = new BufferedReceiver(this, channel);
        }
    }

    /** The protocol as a BufferedProtocol, or null; read by the zero-copy receive allocator. */
    BufferedProtocol bufferedProtocol() {
        return protocol instanceof BufferedProtocol ? (BufferedProtocol) protocol : null;
    }

    /** Called by the zero-copy receiver when {@code getBuffer} threw or returned nothing usable. */
    void bufferedFailure(Throwable t) {
        fatalError(t, "Fatal error: protocol.getBuffer() call failed.");
    }

    /** Called by the zero-copy receiver once {@code nbytes} landed in the protocol's buffer. */
    void bufferUpdated(int nbytes) {
        BufferedProtocol p = bufferedProtocol();
        if (p == null || connLost > 0 || closing) {
            return;
        }
        try {
            p.bufferUpdated(nbytes);
        } catch (Throwable t) {
            fatalError(t, "Fatal error: protocol.bufferUpdated() call failed.");
        }
    }

    private void reportCallbackError(String message, Throwable t) {
        CallbackErrors.report(runtime, message, t, this, protocol);
    }

    @Override
    public void setProtocol(BaseProtocol<?> newProtocol) {
        BaseProtocol<Transport> p = Protocols.requireStream(newProtocol);
        onLoop(() -> attachProtocol(p));
    }

    @Override
    public BaseProtocol<?> getProtocol() {
        return protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    // ---- extra info -----------------------------------------------------------------------------

    @Override
    public <T> T getExtraInfo(String name) {
        return getExtraInfo(name, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getExtraInfo(String name, T defaultValue) {
        switch (Objects.requireNonNull(name, "name")) {
            case "peername":
                return (T) peername;
            case "sockname":
                return (T) sockname;
            case "socket":
                return (T) socketView();
            default:
                return tls != null ? Tls.extraInfo(tls, name, defaultValue) : defaultValue;
        }
    }

    private SocketView socketView() {
        return new NettySocketView(channel, sockname, peername);
    }

    // ---- monitoring -----------------------------------------------------------------------------

    @Override
    public TransportSnapshot snapshot() {
        boolean unix = sockname instanceof java.net.UnixDomainSocketAddress;
        return new TransportSnapshot(id, unix ? "unix" : "tcp", peername, sockname, tls != null, readingPaused,
                flow.paused(), closing, getWriteBufferSize(), flow.limits(), bytesReceived, bytesSent, 0, 0, 0,
                openedAt);
    }

    long bytesReceived() {
        return bytesReceived;
    }

    long bytesSent() {
        return bytesSent;
    }

    // ---- threading ------------------------------------------------------------------------------

    /** Runs {@code action} on the loop: now when already there, else in call order. */
    private void onLoop(Runnable action) {
        if (loop.inLoop()) {
            runUnlessUpgraded(action);
        } else {
            loop.runOnLoopUnlessClosed(() -> runUnlessUpgraded(action));
        }
    }

    /** After startTls this transport is inert: the channel belongs to the transport startTls returned. */
    private void runUnlessUpgraded(Runnable action) {
        if (upgraded) {
            LOG.warn("{} was upgraded by startTls; use the transport startTls returned", this);
            return;
        }
        action.run();
    }

    @Override
    public String toString() {
        return "StreamTransport[" + (peername != null ? "peer=" + peername + ", " : "") + "local=" + sockname
                + (closing ? ", closing" : "") + "]";
    }
}
