package io.protoloop.internal.subprocess;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The thread body that reads one pipe with blocking reads and hands each chunk to the loop.
 *
 * <p>Pausing is asyncio's {@code pause_reading()} on a pipe: the thread stops calling
 * {@code read()}, the kernel pipe fills and the writer (the child) blocks. At most
 * {@link #MAX_IN_FLIGHT} chunks are on their way to or held by the loop; the thread waits for the
 * loop to {@link #recycle} one before reading more, so a slow protocol slows the reads down instead
 * of queueing without bound.
 *
 * <p>The stream is only ever read and closed by this thread. Closing a file descriptor while another
 * thread is inside a blocking {@code read()} on it does not wake that read on Linux, and the number
 * could be reused by an unrelated file before the read starts, so {@link #stop()} only asks the
 * thread to close the stream once its current read returns (at the child's next write or exit).
 * When the source has an interruptible channel ({@code unblocker}), {@code stop()} closes that
 * channel too, which the JDK makes wake a blocked read safely.
 */
final class PipeReader implements Runnable {

    /** Receives what the thread read; every method runs on the loop. */
    interface Listener {

        /** {@code length} bytes at the start of {@code chunk}; hand the chunk back with {@link #recycle}. */
        void pipeData(byte[] chunk, int length);

        /** The writer side closed: end of stream. */
        void pipeEof();

        /** A read failed; the stream is closed. */
        void pipeFailed(IOException error);
    }

    /**
     * The first reads use 8 KiB buffers: an idle child's reader keeps its buffer while it waits, and
     * 8 KiB is what {@code BufferedInputStream} would hold anyway (reads of at least that much
     * bypass its own buffer).
     */
    static final int INITIAL_READ_SIZE = 8 * 1024;

    /**
     * Reads grow to 64 KiB once one fills its buffer. asyncio reads pipes 256 KiB at a time, but a
     * Linux pipe holds 64 KiB by default ({@code man 7 pipe}), so no single read returns more.
     */
    static final int MAX_READ_SIZE = 64 * 1024;

    /** Chunks read ahead of the protocol: 4 x 64 KiB, the 256 KiB asyncio reads at once. */
    static final int MAX_IN_FLIGHT = 4;

    private final InputStream source;
    private final Closeable unblocker;
    private final Executor loop;
    private final Listener listener;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>(MAX_IN_FLIGHT);
    private Runnable onDone = () -> { };
    private int readSize = INITIAL_READ_SIZE;
    private int inFlight;
    private boolean paused = true;
    private boolean stopped;

    /**
     * @param source    the stream to read; this thread closes it
     * @param unblocker an interruptible channel under {@code source} to close on {@link #stop()}, or null
     * @param loop      where the listener runs
     */
    PipeReader(InputStream source, Closeable unblocker, Executor loop, Listener listener) {
        this.source = source;
        this.unblocker = unblocker;
        this.loop = loop;
        this.listener = listener;
    }

    /**
     * Starts the thread, paused: nothing is read before {@link #resume()}. {@code onDone} runs on the
     * thread as it ends, after the EOF (if any) was handed to the loop.
     */
    void start(String threadName, Runnable onDone) {
        this.onDone = onDone;
        PipeThreads.start(threadName, this);
    }

    /** Stops reading after the current read. */
    synchronized void pause() {
        paused = true;
    }

    /** Reads again. */
    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    /** Ends the thread: it reports nothing more and closes the stream (see the class comment). */
    void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            free.clear();
            notifyAll();
        }
        if (unblocker != null) {
            try {
                unblocker.close();
            } catch (IOException ignored) {
                // Closing is all we wanted; the reading thread sees the channel closed either way.
            }
        }
    }

    /** Gives back a chunk the loop is done with, so the thread may read into it again. */
    synchronized void recycle(byte[] chunk) {
        inFlight--;
        if (!stopped && chunk.length == readSize) {
            free.push(chunk);
        }
        notifyAll();
    }

    @Override
    public void run() {
        try {
            byte[] chunk;
            while ((chunk = awaitBuffer()) != null) {
                int n = source.read(chunk, 0, chunk.length);
                if (isStopped()) {
                    return;
                }
                if (n < 0) {
                    post(listener::pipeEof);
                    return;
                }
                if (n == 0) {
                    recycle(chunk);
                    continue;
                }
                if (n == chunk.length) {
                    grow();
                }
                byte[] read = chunk;
                if (!post(() -> listener.pipeData(read, n))) {
                    return;
                }
            }
        } catch (IOException e) {
            failed(e);
        } catch (RuntimeException e) {
            // e.g. IllegalBlockingModeException when someone made a channel non-blocking under us.
            failed(new IOException("reading the pipe failed: " + e, e));
        } finally {
            try {
                source.close();
            } catch (IOException ignored) {
                // The descriptor is released either way.
            }
            onDone.run();
        }
    }

    private void failed(IOException e) {
        if (!isStopped()) {
            post(() -> listener.pipeFailed(e));
        }
    }

    /** Waits until reading is allowed and a buffer is free; null once stopped. */
    private synchronized byte[] awaitBuffer() throws InterruptedIOException {
        // Nothing in protoloop interrupts these threads; an interrupt from elsewhere is a read error.
        while (!stopped && (paused || inFlight >= MAX_IN_FLIGHT)) {
            try {
                wait();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("pipe reader interrupted");
            }
        }
        if (stopped) {
            return null;
        }
        inFlight++;
        byte[] chunk = free.poll();
        return chunk != null ? chunk : new byte[readSize];
    }

    private synchronized void grow() {
        if (readSize < MAX_READ_SIZE) {
            readSize = MAX_READ_SIZE;
            free.clear();
        }
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    /** Hands {@code event} to the loop; false (and stop) when the loop is gone. */
    private boolean post(Runnable event) {
        try {
            loop.execute(event);
            return true;
        } catch (RejectedExecutionException e) {
            stop();
            return false;
        }
    }
}
