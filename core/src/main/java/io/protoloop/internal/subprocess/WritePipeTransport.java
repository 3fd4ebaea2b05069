package io.protoloop.internal.subprocess;

import io.protoloop.internal.transport.CallbackErrors;
import io.protoloop.EventLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.internal.transport.WriteFlowControl;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteBufferLimits;
import io.protoloop.transport.WriteTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * The write end of a pipe: asyncio's {@code _UnixWritePipeTransport} state machine, drained by a
 * {@link PipeWriter} thread that starts with the first write. Used for {@code connectWritePipe} and
 * for a child's stdin.
 *
 * <p>Flow control is asyncio's, with one difference a blocking pipe forces: a byte counts as
 * buffered from {@code write()} until the writer thread's {@code write()} system call that took it
 * returned, so {@code write()} never hands bytes to the kernel itself, and a single write larger
 * than the high-water mark pauses the protocol even if the pipe could take it at once.
 *
 * <p>As in asyncio's pipe transport (unlike its socket transport), writes after {@code close()} or
 * {@code writeEof()} are dropped, with a warning from the fifth on; {@code writeEof()} is
 * {@code close()}: flush, close the pipe, {@code connectionLost(null)}. A reader that went away is
 * noticed at the next write (asyncio also watches the descriptor for it; a blocking pipe cannot),
 * which fails with an {@link IOException} naming the broken pipe and closes the transport with it.
 *
 * <p>Its {@link #snapshot()} is of kind {@code pipe}: bytes sent (those whose {@code write()} system
 * call returned), writing paused, closing, the write buffer and its limits.
 */
final class WritePipeTransport implements WriteTransport, TransportStatistics, LoopResource, PipeWriter.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(WritePipeTransport.class);

    /** asyncio's {@code LOG_THRESHOLD_FOR_CONNLOST_WRITES}. */
    private static final int LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

    private final MemberLoop loop;
    private final LoopRuntime runtime;
    private final OutputStream sink;
    private final Closeable unblocker;
    private final String description;
    private final String threadName;
    private final Object pipeInfo;
    private final WriteFlowControl flow;
    /** Started by the first write; volatile because {@link #abortOnLoopClose} reads it off the loop. */
    private volatile PipeWriter writer;
    /** Volatile: {@code getProtocol()} may be called from any thread. */
    private volatile BaseProtocol<WriteTransport> protocol;
    private volatile boolean closing;
    private boolean connected;
    private boolean lost;
    private boolean connectionLostCalled;
    private boolean bufferDropped;
    private int droppedWrites;

    private final long id;
    private final Instant openedAt = Instant.now();
    /** Monitoring counter: written on the loop only, read from anywhere (a recent value is enough). */
    private volatile long bytesSent;

    /**
     * @param sink        the stream the writer thread writes and closes
     * @param unblocker   an interruptible channel under {@code sink}, or null (see {@link PipeWriter})
     * @param description what the pipe is, for messages ("stdin of process 42 (cat)")
     * @param threadName  the writer thread's name after {@code protoloop-pipe-}
     * @param pipeInfo    the {@code "pipe"} extra info
     */
    WritePipeTransport(MemberLoop loop, BaseProtocol<WriteTransport> protocol, OutputStream sink, Closeable unblocker,
                       WriteBufferLimits limits, String description, String threadName, Object pipeInfo) {
        this.loop = loop;
        this.runtime = loop.runtime();
        this.protocol = protocol;
        this.sink = sink;
        this.unblocker = unblocker;
        this.flow = new WriteFlowControl(limits);
        this.description = description;
        this.threadName = threadName;
        this.pipeInfo = pipeInfo;
        this.id = runtime.nextTransportId();
    }

    /** On the loop: the protocol's {@code connectionMade}. */
    void connect() {
        connected = true;
        try {
            protocol.connectionMade(this);
        } catch (Throwable t) {
            report("protocol.connectionMade() failed", t);
        }
    }

    /**
     * On the loop, for a child's stdin when the child exited: asyncio sees the pipe's reader go away
     * and loses the connection, with a broken-pipe error when bytes were still unwritten. Here the
     * writer thread finds out which: it finishes when everything was written, and its next write
     * fails when not.
     */
    void readerGone() {
        writeEof();
    }

    // ---- writing --------------------------------------------------------------------------------

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        if (!data.hasRemaining()) {
            return;
        }
        // Copied in the caller's thread: the caller may reuse its buffer once write() returns.
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        if (loop.inLoop()) {
            writeOnLoop(copy);
        } else {
            // The loop closed, and so is this transport: writes after close are dropped.
            loop.runOnLoopUnlessClosed(() -> writeOnLoop(copy));
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

    private void writeOnLoop(byte[] bytes) {
        if (lost || closing) {
            if (++droppedWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
                LOG.warn("write() on a closed pipe transport: data dropped ({})", this);
            }
            return;
        }
        PipeWriter w;
        try {
            w = writer();
        } catch (Throwable t) {
            // No thread could be started (out of threads or memory): the pipe cannot be written.
            fatalError(new IOException("cannot start the writer thread of " + description + ": " + t, t),
                    "Fatal error starting the pipe writer");
            return;
        }
        flow.add(bytes.length);
        w.enqueue(bytes);
        if (flow.shouldPause()) {
            CallbackErrors.pauseWriting(runtime, this, protocol);
        }
    }

    private PipeWriter writer() {
        PipeWriter w = writer;
        if (w == null) {
            w = new PipeWriter(sink, unblocker, loop.netty(), this);
            w.start(threadName);
            writer = w;
        }
        return w;
    }

    @Override
    public void pipeWritten(int bytes) {
        // The operating system took them, even when an abort dropped the rest of the buffer since.
        bytesSent += bytes;
        if (bufferDropped) {
            return;
        }
        flow.remove(bytes);
        if (flow.shouldResume()) {
            CallbackErrors.resumeWriting(runtime, this, protocol);
        }
    }

    @Override
    public void pipeFinished() {
        if (!lost) {
            lost = true;
            closing = true;
            callConnectionLost(null);
        }
    }

    @Override
    public void pipeFailed(IOException error) {
        if (!lost) {
            fatalError(brokenPipe(error), "Fatal write error on pipe transport");
        }
    }

    private IOException brokenPipe(IOException error) {
        String cause = String.valueOf(error.getMessage());
        // "Stream closed": the JDK closes a child's stdin itself once the child exited.
        boolean broken = cause.contains("Broken pipe") || cause.contains("Stream closed");
        return new IOException((broken ? "Broken pipe: " : "") + "writing to " + description + " failed ("
                + flow.size() + " bytes still buffered): " + cause, error);
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    /** asyncio's {@code write_eof()} on a pipe: close once everything buffered is written. */
    @Override
    public void writeEof() {
        onLoop(() -> {
            if (closing) {
                return;
            }
            closing = true;
            PipeWriter w = writer;
            if (w != null) {
                w.closeWhenDrained();
            } else {
                closeSink();
                lost = true;
                loop.netty().execute(() -> callConnectionLost(null));
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
            if (!lost && flow.shouldPause()) {
                CallbackErrors.pauseWriting(runtime, this, protocol);
            }
        });
    }

    // ---- closing --------------------------------------------------------------------------------

    @Override
    public boolean isClosing() {
        return closing;
    }

    /** asyncio: {@code close()} on a write pipe is {@code write_eof()}. */
    @Override
    public void close() {
        writeEof();
    }

    @Override
    public void abort() {
        onLoop(() -> forceClose(null));
    }

    private void forceClose(Throwable exc) {
        if (lost) {
            return;
        }
        closing = true;
        lost = true;
        flow.clear();
        bufferDropped = true;
        PipeWriter w = writer;
        if (w != null) {
            w.abort();
        } else {
            closeSink();
        }
        loop.netty().execute(() -> callConnectionLost(exc));
    }

    private void fatalError(Throwable exc, String message) {
        if (!(exc instanceof IOException)) {
            report(message, exc);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {}", this, message, exc);
        }
        forceClose(exc);
    }

    /** Only when no writer thread exists: then nothing else touches the stream. */
    private void closeSink() {
        try {
            sink.close();
        } catch (IOException ignored) {
            // Nothing was buffered in it; the descriptor is released either way.
        }
    }

    private void callConnectionLost(Throwable exc) {
        if (connectionLostCalled) {
            return;
        }
        connectionLostCalled = true;
        try {
            if (connected) {
                protocol.connectionLost(exc);
            }
        } catch (Throwable t) {
            report("protocol.connectionLost() failed", t);
        } finally {
            protocol = null;
            closing = true;
            runtime.unregister(this);
        }
    }

    @Override
    public void abortOnLoopClose() {
        PipeWriter w = writer;
        if (w != null) {
            w.abort();
        }
        try {
            loop.runOnLoop(() -> forceClose(null));
        } catch (RejectedExecutionException ignored) {
            // The loop is gone; the writer thread ends on its own.
        }
    }

    // ---- monitoring -----------------------------------------------------------------------------

    @Override
    public TransportSnapshot snapshot() {
        return new TransportSnapshot(id, "pipe", null, null, false, false, flow.paused(), closing,
                getWriteBufferSize(), flow.limits(), 0, bytesSent, 0, 0, 0, openedAt);
    }

    /** Whether the protocol was told {@code pauseWriting} and not yet resumed; for the child's snapshot. */
    boolean writingPaused() {
        return flow.paused();
    }

    /** Bytes written to the pipe so far; for the child's snapshot. */
    long bytesSent() {
        return bytesSent;
    }

    // ---- protocol plumbing ----------------------------------------------------------------------

    private void report(String message, Throwable error) {
        CallbackErrors.report(runtime, message, error, this, protocol);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void setProtocol(BaseProtocol<?> newProtocol) {
        Objects.requireNonNull(newProtocol, "protocol");
        onLoop(() -> protocol = (BaseProtocol<WriteTransport>) newProtocol);
    }

    @Override
    public BaseProtocol<?> getProtocol() {
        return protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public <T> T getExtraInfo(String name) {
        return getExtraInfo(name, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getExtraInfo(String name, T defaultValue) {
        return "pipe".equals(Objects.requireNonNull(name, "name")) ? (T) pipeInfo : defaultValue;
    }

    private void onLoop(Runnable action) {
        loop.runOnLoopUnlessClosed(action);
    }

    @Override
    public String toString() {
        return "WritePipeTransport[" + description + (closing ? ", closing" : "") + "]";
    }
}
