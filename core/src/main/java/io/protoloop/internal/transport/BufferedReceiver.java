package io.protoloop.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import io.protoloop.protocol.BufferedProtocol;

import java.nio.ByteBuffer;

/**
 * Receives straight into a {@link BufferedProtocol}'s buffer: the channel's receive allocator asks
 * the protocol for {@code getBuffer(hint)} and hands Netty a wrapper over that memory, so the socket
 * read itself fills it (asyncio's {@code recv_into}). Netty's native reads need direct memory, so a
 * heap buffer is filled through one copy instead.
 *
 * <p>Why an {@link RecvByteBufAllocator.ExtendedHandle}: the epoll channel casts its handle to it.
 */
final class BufferedReceiver implements RecvByteBufAllocator {

    private final StreamTransport transport;
    private final RecvByteBufAllocator delegate;
    /** The wrapper over the protocol's direct buffer handed to the current read, if any. */
    private ByteBuf wrapper;
    /** The engine buffer a heap-buffer read lands in first, and where it goes after. */
    private ByteBuf staging;
    private ByteBuffer stagingTarget;

    BufferedReceiver(StreamTransport transport, Channel channel) {
        this.transport = transport;
        this.delegate = channel.config().getRecvByteBufAllocator();
        channel.config().setRecvByteBufAllocator(this);
    }

    @Override
    public Handle newHandle() {
        return new ReceiveHandle((ExtendedHandle) delegate.newHandle());
    }

    private ByteBuf allocate(ByteBufAllocator alloc, int guess) {
        BufferedProtocol protocol = transport.bufferedProtocol();
        if (protocol == null || !transport.receivesDirectly()) {
            // Paused or closing: this read lands in the hold queue, asyncio would not have asked.
            return alloc.ioBuffer(guess);
        }
        ByteBuffer target;
        try {
            target = Protocols.bufferFrom(protocol, guess);
        } catch (Throwable t) {
            transport.bufferedFailure(t);
            return alloc.ioBuffer(guess);
        }
        if (target.isDirect()) {
            wrapper = Unpooled.wrappedBuffer(target.slice()).clear();
            return wrapper;
        }
        stagingTarget = target;
        staging = alloc.ioBuffer(target.remaining(), target.remaining());
        return staging;
    }

    boolean owns(ByteBuf buf) {
        return buf == wrapper || buf == staging;
    }

    void received(ByteBuf buf) {
        int n = buf.readableBytes();
        if (buf == staging) {
            ByteBuffer target = stagingTarget;
            buf.getBytes(buf.readerIndex(), target.duplicate().limit(target.position() + n));
            staging = null;
            stagingTarget = null;
        } else {
            wrapper = null;
        }
        buf.release();
        if (n > 0) {
            transport.bufferUpdated(n);
        }
    }

    void releasePending() {
        wrapper = null;
        stagingTarget = null;
        staging = null;
    }

    private final class ReceiveHandle extends DelegatingHandle implements ExtendedHandle {

        ReceiveHandle(ExtendedHandle delegate) {
            super(delegate);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return BufferedReceiver.this.allocate(alloc, guess());
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }
    }
}
