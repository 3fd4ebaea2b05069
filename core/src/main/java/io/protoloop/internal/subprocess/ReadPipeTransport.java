package io.protoloop.internal.subprocess;

import io.protoloop.internal.transport.CallbackErrors;
import io.protoloop.internal.transport.Protocols;
import io.protoloop.EventLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteBufferLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * The read end of a pipe: asyncio's {@code _UnixReadPipeTransport} state machine, fed by a
 * {@link PipeReader} thread. Used for {@code connectReadPipe} and for a child's stdout and stderr.
 *
 * <p>{@code Protocol.connectionMade} takes a {@link Transport}, so this class is one, but only its
 * reading half works: {@code write}, {@code writelines}, {@code writeEof} and the write-buffer limit
 * methods throw {@link UnsupportedOperationException}; {@code canWriteEof()} is false,
 * {@code getWriteBufferSize()} is 0 and {@code abort()} closes at once, like {@code close()}.
 *
 * <p>At EOF the protocol hears {@code eofReceived()} (its return value is ignored for pipes, as in
 * asyncio) and then {@code connectionLost(null)}. An exception from {@code dataReceived} or
 * {@code eofReceived} goes to the exception handler and closes the transport with
 * {@code connectionLost(exc)}. Fields are confined to the loop thread except the volatile flags.
 *
 * <p>Its {@link #snapshot()} is of kind {@code pipe}: bytes received (handed to the loop by the
 * reader thread, delivered or not), reading paused, closing; it has no write buffer (size 0, no
 * limits).
 */
final class ReadPipeTransport implements Transport, TransportStatistics, LoopResource, PipeReader.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(ReadPipeTransport.class);

    private final MemberLoop loop;
    private final LoopRuntime runtime;
    private final String description;
    private final Object pipeInfo;
    private final PipeReader reader;
    private final ArrayDeque<Chunk> held = new ArrayDeque<>();
    /** Volatile: {@code getProtocol()} may be called from any thread. */
    private volatile Protocol protocol;
    private volatile boolean closing;
    private volatile boolean paused;
    private boolean connected;
    private boolean lost;
    private boolean connectionLostCalled;
    private boolean pendingEof;

    private final long id;
    private final Instant openedAt = Instant.now();
    /** Monitoring counter: written on the loop only, read from anywhere (a recent value is enough). */
    private volatile long bytesReceived;

    /** A chunk the reader handed over while the protocol was paused. */
    private record Chunk(byte[] bytes, int length) {
    }

    /**
     * @param source      the stream the reader thread reads and closes
     * @param unblocker   an interruptible channel under {@code source}, or null (see {@link PipeReader})
     * @param description what the pipe is, for messages ("stdout of process 42 (cat)")
     * @param pipeInfo    the {@code "pipe"} extra info
     */
    ReadPipeTransport(MemberLoop loop, Protocol protocol, InputStream source, Closeable unblocker,
                      String description, Object pipeInfo) {
        this.loop = loop;
        this.runtime = loop.runtime();
        this.protocol = protocol;
        this.description = description;
        this.pipeInfo = pipeInfo;
        this.reader = new PipeReader(source, unblocker, loop.netty(), this);
        this.id = runtime.nextTransportId();
    }

    /** Starts the reader thread, which reads nothing before {@link #startReading()}. */
    void startThread(String name) {
        startThread(name, () -> { });
    }

    /** Same, with {@code onDone} run by the reader thread as it ends (see {@link PipeReader#start}). */
    void startThread(String name, Runnable onDone) {
        reader.start(name, onDone);
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

    /** On the loop, after every {@code connectionMade}: reading starts, unless paused or closed since. */
    void startReading() {
        if (!closing && !paused) {
            reader.resume();
        }
    }

    // ---- what the reader thread hands over (on the loop) ----------------------------------------

    @Override
    public void pipeData(byte[] chunk, int length) {
        bytesReceived += length;
        if (closing) {
            reader.recycle(chunk);
            return;
        }
        if (paused || !held.isEmpty()) {
            held.add(new Chunk(chunk, length));
            return;
        }
        deliver(chunk, length);
    }

    @Override
    public void pipeEof() {
        if (closing) {
            return;
        }
        if (paused || !held.isEmpty()) {
            pendingEof = true;
        } else {
            eofReached();
        }
    }

    @Override
    public void pipeFailed(IOException error) {
        if (!closing) {
            fatalError(new IOException("reading " + description + " failed: " + error.getMessage(), error),
                    "Fatal read error on pipe transport");
        }
    }

    private void deliver(byte[] chunk, int length) {
        Protocol p = protocol;
        try {
            long start = runtime.debug() ? System.nanoTime() : 0L;
            p.dataReceived(ByteBuffer.wrap(chunk, 0, length).asReadOnlyBuffer());
            if (start != 0L) {
                runtime.reportIfSlow(p.getClass().getName() + ".dataReceived", System.nanoTime() - start);
            }
        } catch (Throwable t) {
            fatalError(t, "Fatal error: protocol.dataReceived() call failed.");
        } finally {
            reader.recycle(chunk);
        }
    }

    /** asyncio: {@code eof_received()} (its result ignored for pipes), then {@code connection_lost(None)}. */
    private void eofReached() {
        closing = true;
        lost = true;
        stopReading();
        Throwable exc = null;
        try {
            protocol.eofReceived();
        } catch (Throwable t) {
            report("Fatal error: protocol.eofReceived() call failed.", t);
            exc = t;
        }
        callConnectionLost(exc);
    }

    private void drainHeld() {
        Chunk chunk;
        while (!paused && !closing && (chunk = held.poll()) != null) {
            deliver(chunk.bytes(), chunk.length());
        }
        if (held.isEmpty() && pendingEof && !paused && !closing) {
            pendingEof = false;
            eofReached();
        }
    }

    // ---- ReadTransport --------------------------------------------------------------------------

    @Override
    public boolean isReading() {
        return !closing && !paused;
    }

    @Override
    public void pauseReading() {
        onLoop(() -> {
            if (closing || paused) {
                return;
            }
            paused = true;
            reader.pause();
        });
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            if (closing || !paused) {
                return;
            }
            paused = false;
            drainHeld();
            if (!closing && !paused && connected) {
                reader.resume();
            }
        });
    }

    // ---- closing --------------------------------------------------------------------------------

    @Override
    public boolean isClosing() {
        return closing;
    }

    /** asyncio's {@code close()} on a read pipe: stop reading, then {@code connectionLost(null)} soon. */
    @Override
    public void close() {
        onLoop(() -> forceClose(null));
    }

    /** A read pipe has nothing buffered to drop: the same as {@link #close()}. */
    @Override
    public void abort() {
        close();
    }

    private void forceClose(Throwable exc) {
        if (lost) {
            return;
        }
        closing = true;
        lost = true;
        stopReading();
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

    private void stopReading() {
        reader.stop();
        pendingEof = false;
        Chunk chunk;
        while ((chunk = held.poll()) != null) {
            reader.recycle(chunk.bytes());
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
            paused = false;
            runtime.unregister(this);
        }
    }

    @Override
    public void abortOnLoopClose() {
        reader.stop();
        try {
            loop.runOnLoop(() -> forceClose(null));
        } catch (RejectedExecutionException ignored) {
            // The loop is gone; the reader thread ends on its own.
        }
    }

    // ---- the write half a read pipe does not have -----------------------------------------------

    private UnsupportedOperationException readOnly(String method) {
        return new UnsupportedOperationException(method + " is not supported: " + description
                + " is the read end of a pipe");
    }

    @Override
    public void write(ByteBuffer data) {
        throw readOnly("write()");
    }

    @Override
    public void write(byte[] data) {
        throw readOnly("write()");
    }

    @Override
    public void writelines(Iterable<ByteBuffer> data) {
        throw readOnly("writelines()");
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    @Override
    public void writeEof() {
        throw readOnly("writeEof()");
    }

    @Override
    public int getWriteBufferSize() {
        return 0;
    }

    @Override
    public WriteBufferLimits getWriteBufferLimits() {
        throw readOnly("getWriteBufferLimits()");
    }

    @Override
    public void setWriteBufferLimits(Integer high, Integer low) {
        throw readOnly("setWriteBufferLimits()");
    }

    // ---- the rest of BaseTransport --------------------------------------------------------------

    @Override
    public <T> T getExtraInfo(String name) {
        return getExtraInfo(name, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getExtraInfo(String name, T defaultValue) {
        return "pipe".equals(Objects.requireNonNull(name, "name")) ? (T) pipeInfo : defaultValue;
    }

    @Override
    public void setProtocol(BaseProtocol<?> newProtocol) {
        Protocol p = Protocols.require(newProtocol, Protocol.class, "read pipe");
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

    // ---- monitoring -----------------------------------------------------------------------------

    @Override
    public TransportSnapshot snapshot() {
        return new TransportSnapshot(id, "pipe", null, null, false, paused, false, closing, 0, null, bytesReceived, 0,
                0, 0, 0, openedAt);
    }

    /** Whether reading is paused ({@code pauseReading}); for the child's snapshot. */
    boolean readingPaused() {
        return paused;
    }

    /** Bytes read from the pipe so far; for the child's snapshot. */
    long bytesReceived() {
        return bytesReceived;
    }

    private void report(String message, Throwable error) {
        CallbackErrors.report(runtime, message, error, this, protocol);
    }

    private void onLoop(Runnable action) {
        loop.runOnLoopUnlessClosed(action);
    }

    @Override
    public String toString() {
        return "ReadPipeTransport[" + description + (closing ? ", closing" : "") + "]";
    }
}
