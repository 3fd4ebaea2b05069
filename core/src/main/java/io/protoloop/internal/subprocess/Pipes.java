package io.protoloop.internal.subprocess;

import io.protoloop.Connection;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.ReadTransport;
import io.protoloop.transport.WriteBufferLimits;
import io.protoloop.transport.WriteTransport;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * asyncio's {@code connect_read_pipe} and {@code connect_write_pipe} over JDK pipe types: an NIO
 * {@link Pipe} end, or a FIFO (or character device) opened by path.
 *
 * <p>The transport takes ownership of the pipe and closes it. Channels are put in blocking mode and
 * read or written by a pipe thread; they are interruptible, so closing the transport wakes that
 * thread at once. Opening a FIFO blocks until the other side opens it, so it happens on a thread of
 * its own and the future completes once the FIFO is open and {@code connectionMade} ran.
 */
public final class Pipes {

    private Pipes() {
    }

    // ---- read pipes -----------------------------------------------------------------------------

    public static <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectRead(
            AbstractLoop loop, Supplier<? extends P> factory, Pipe.SourceChannel pipe) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(pipe, "pipe");
        blocking(pipe);
        return connectRead(loop.nextMember(), factory, pipe, "read pipe " + pipe, pipe);
    }

    public static <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectRead(
            AbstractLoop loop, Supplier<? extends P> factory, Path fifo) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(fifo, "fifo");
        MemberLoop member = loop.nextMember();
        CompletableFuture<Connection<ReadTransport, P>> result = new CompletableFuture<>();
        openFifo(member, fifo, StandardOpenOption.READ, result,
                channel -> connectRead(member, factory, channel, "read pipe " + fifo, channel));
        return result;
    }

    private static <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectRead(
            MemberLoop member, Supplier<? extends P> factory, java.nio.channels.ReadableByteChannel channel,
            String description, Object pipeInfo) {
        CompletableFuture<Connection<ReadTransport, P>> result = new CompletableFuture<>();
        onLoop(member, result, channel, () -> {
            P protocol = create(factory, "Protocol");
            ReadPipeTransport transport = new ReadPipeTransport(member, protocol, Channels.newInputStream(channel),
                    channel, description, pipeInfo);
            member.runtime().register(transport);
            transport.startThread("read-" + PipeThreads.nextId());
            transport.connect();
            transport.startReading();
            result.complete(new Connection<>(transport, protocol));
        });
        return result;
    }

    // ---- write pipes ----------------------------------------------------------------------------

    public static <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWrite(
            AbstractLoop loop, Supplier<? extends P> factory, Pipe.SinkChannel pipe) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(pipe, "pipe");
        blocking(pipe);
        return connectWrite(loop.nextMember(), factory, pipe, "write pipe " + pipe, pipe);
    }

    public static <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWrite(
            AbstractLoop loop, Supplier<? extends P> factory, Path fifo) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(fifo, "fifo");
        MemberLoop member = loop.nextMember();
        CompletableFuture<Connection<WriteTransport, P>> result = new CompletableFuture<>();
        openFifo(member, fifo, StandardOpenOption.WRITE, result,
                channel -> connectWrite(member, factory, channel, "write pipe " + fifo, channel));
        return result;
    }

    private static <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWrite(
            MemberLoop member, Supplier<? extends P> factory, java.nio.channels.WritableByteChannel channel,
            String description, Object pipeInfo) {
        CompletableFuture<Connection<WriteTransport, P>> result = new CompletableFuture<>();
        onLoop(member, result, channel, () -> {
            P protocol = create(factory, "BaseProtocol<WriteTransport>");
            WritePipeTransport transport = new WritePipeTransport(member, protocol, Channels.newOutputStream(channel),
                    channel, WriteBufferLimits.DEFAULT, description, "write-" + PipeThreads.nextId(), pipeInfo);
            member.runtime().register(transport);
            transport.connect();
            result.complete(new Connection<>(transport, protocol));
        });
        return result;
    }

    // ---- shared ---------------------------------------------------------------------------------

    /** Pipe threads block in read and write; a channel on a selector cannot be switched, so reject it. */
    private static void blocking(java.nio.channels.spi.AbstractSelectableChannel pipe) {
        try {
            pipe.configureBlocking(true);
        } catch (IllegalBlockingModeException e) {
            throw new IllegalArgumentException("the pipe is registered with a selector; deregister it first", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the pipe cannot be put in blocking mode: " + e.getMessage(), e);
        }
    }

    private static <P> P create(Supplier<? extends P> factory, String kind) {
        P protocol = factory.get();
        if (protocol == null) {
            throw new IllegalStateException("the protocol factory returned null; it must return a new " + kind);
        }
        return protocol;
    }

    /** Runs {@code connect} on the loop; a failure fails {@code result} and closes the channel. */
    private static void onLoop(MemberLoop member, CompletableFuture<?> result, java.io.Closeable channel,
                               Runnable connect) {
        Runnable task = () -> {
            try {
                connect.run();
            } catch (Throwable t) {
                closeQuietly(channel);
                result.completeExceptionally(t);
            }
        };
        try {
            member.runOnLoop(task);
        } catch (RejectedExecutionException e) {
            closeQuietly(channel);
            result.completeExceptionally(new IllegalStateException("the event loop is closed", e));
        }
    }

    interface Connector<C, R> {
        CompletableFuture<R> connect(C channel);
    }

    /**
     * Opens {@code fifo} on a thread of its own, then connects. A loop closing meanwhile fails the
     * future and unblocks the open by holding the FIFO open read-write itself (Linux lets that complete
     * a pending open on either side) until the opening thread is past its open: the thread may not have
     * reached the blocking call yet when the loop closes.
     */
    private static <R> void openFifo(MemberLoop member, Path fifo, StandardOpenOption mode,
                                     CompletableFuture<R> result, Connector<FileChannel, R> connector) {
        FifoOpening opening = new FifoOpening(fifo, result);
        member.runtime().register(opening);
        PipeThreads.start("open-" + PipeThreads.nextId(), () -> {
            FileChannel channel = null;
            try {
                BasicFileAttributes attributes = Files.readAttributes(fifo, BasicFileAttributes.class);
                if (!attributes.isOther()) {
                    throw new IllegalArgumentException(fifo + " is not a pipe: pipe transports are for FIFOs and "
                            + "character devices" + (attributes.isRegularFile() ? " (it is a regular file)" : ""));
                }
                if (!opening.aborted()) {
                    channel = FileChannel.open(fifo, mode);
                }
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                opening.opened();
                member.runtime().unregister(opening);
            }
            if (channel == null) {
                return;
            }
            if (opening.aborted() || result.isDone()) {
                closeQuietly(channel);
                return;
            }
            connector.connect(channel).whenComplete((connection, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(connection);
                }
            });
        });
    }

    /** A FIFO being opened; the loop closing fails it and unblocks the open. */
    private static final class FifoOpening implements LoopResource {
        private final Path fifo;
        private final CompletableFuture<?> result;
        private volatile boolean aborted;
        // Guarded by this: whether the opening thread is past its open, and the read-write descriptor
        // that keeps a late open from blocking until then.
        private boolean opened;
        private FileChannel unblocker;

        FifoOpening(Path fifo, CompletableFuture<?> result) {
            this.fifo = fifo;
            this.result = result;
        }

        boolean aborted() {
            return aborted;
        }

        /** Called by the opening thread once its open returned, failed or was skipped. */
        synchronized void opened() {
            opened = true;
            if (unblocker != null) {
                closeQuietly(unblocker);
                unblocker = null;
            }
        }

        @Override
        public void abortOnLoopClose() {
            aborted = true;
            result.completeExceptionally(new IllegalStateException("the event loop was closed while opening " + fifo));
            synchronized (this) {
                if (opened) {
                    return;
                }
                try {
                    // A read-write open of a FIFO never blocks on Linux.
                    unblocker = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (IOException | RuntimeException ignored) {
                    // Not a FIFO after all, or gone: then nothing is blocked on it.
                }
            }
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Releasing is all we wanted.
        }
    }
}
