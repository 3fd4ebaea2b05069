package io.protoloop.internal.subprocess;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The thread body that writes one pipe: it drains a queue of chunks the loop filled, with blocking
 * writes, and tells the loop after each write returned so the transport can count those bytes as no
 * longer buffered (exact flow control: a byte is buffered until the {@code write()} that took it
 * returned).
 *
 * <p>The stream is only ever written and closed by this thread, for the reason {@link PipeReader}
 * gives. {@link #abort()} closes {@code unblocker}, an interruptible channel, when there is one;
 * a write blocked on a child's full stdin ends when the child reads or dies (the transport kills it).
 */
final class PipeWriter implements Runnable {

    /** Receives the writer's progress; every method runs on the loop. */
    interface Listener {

        /** One {@code write()} of {@code bytes} bytes returned. */
        void pipeWritten(int bytes);

        /** The queue drained after {@link #closeWhenDrained()}, and the stream is closed. */
        void pipeFinished();

        /** A write failed; the stream is closed and the queue dropped. */
        void pipeFailed(IOException error);
    }

    /** Chunks smaller than this are copied together into one write, up to {@link #COALESCED_MAX}. */
    static final int COALESCE_BELOW = 16 * 1024;

    /** The most bytes one coalesced write carries: a full default pipe. */
    static final int COALESCED_MAX = 64 * 1024;

    private final OutputStream sink;
    private final Closeable unblocker;
    private final Executor loop;
    private final Listener listener;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean closeWhenDrained;
    private boolean aborted;

    /**
     * @param sink      the stream to write; this thread closes it
     * @param unblocker an interruptible channel under {@code sink} to close on {@link #abort()}, or null
     * @param loop      where the listener runs
     */
    PipeWriter(OutputStream sink, Closeable unblocker, Executor loop, Listener listener) {
        this.sink = sink;
        this.unblocker = unblocker;
        this.loop = loop;
        this.listener = listener;
    }

    void start(String threadName) {
        PipeThreads.start(threadName, this);
    }

    /** Queues {@code chunk}, which the caller no longer touches. */
    synchronized void enqueue(byte[] chunk) {
        if (!aborted && !closeWhenDrained) {
            queue.add(chunk);
            notifyAll();
        }
    }

    /** Writes what is queued, then closes the stream and reports {@code pipeFinished}. */
    synchronized void closeWhenDrained() {
        closeWhenDrained = true;
        notifyAll();
    }

    /** Drops the queue and ends the thread without reporting anything more. */
    void abort() {
        synchronized (this) {
            if (aborted) {
                return;
            }
            aborted = true;
            queue.clear();
            notifyAll();
        }
        if (unblocker != null) {
            try {
                unblocker.close();
            } catch (IOException ignored) {
                // The writing thread sees the channel closed either way.
            }
        }
    }

    @Override
    public void run() {
        try {
            byte[] chunk;
            while ((chunk = awaitChunk()) != null) {
                sink.write(chunk);
                sink.flush();
                int n = chunk.length;
                if (!post(() -> listener.pipeWritten(n))) {
                    return;
                }
            }
            if (!isAborted()) {
                closeSink();
                post(listener::pipeFinished);
            }
        } catch (IOException e) {
            if (!isAborted()) {
                closeSink();
                post(() -> listener.pipeFailed(e));
            }
        } catch (RuntimeException e) {
            if (!isAborted()) {
                closeSink();
                post(() -> listener.pipeFailed(new IOException("writing the pipe failed: " + e, e)));
            }
        } finally {
            closeSink();
        }
    }

    /**
     * The next bytes to write, small chunks copied together; null when it is time to finish (drained
     * after {@link #closeWhenDrained()}, or aborted).
     */
    private synchronized byte[] awaitChunk() throws InterruptedIOException {
        while (queue.isEmpty() && !closeWhenDrained && !aborted) {
            try {
                wait();
            } catch (InterruptedException e) {
                // Nothing in protoloop interrupts these threads; an interrupt from elsewhere is a write error.
                throw new InterruptedIOException("pipe writer interrupted");
            }
        }
        if (aborted || queue.isEmpty()) {
            return null;
        }
        byte[] first = queue.poll();
        if (first.length >= COALESCE_BELOW || queue.isEmpty() || queue.peek().length >= COALESCE_BELOW) {
            return first;
        }
        // Many small writes (a protocol writing line by line) become one system call.
        int total = first.length;
        int count = 1;
        for (byte[] next : queue) {
            if (next.length >= COALESCE_BELOW || total + next.length > COALESCED_MAX) {
                break;
            }
            total += next.length;
            count++;
        }
        byte[] joined = new byte[total];
        System.arraycopy(first, 0, joined, 0, first.length);
        int at = first.length;
        for (int i = 1; i < count; i++) {
            byte[] next = queue.poll();
            System.arraycopy(next, 0, joined, at, next.length);
            at += next.length;
        }
        return joined;
    }

    private synchronized boolean isAborted() {
        return aborted;
    }

    private void closeSink() {
        try {
            sink.close();
        } catch (IOException ignored) {
            // The descriptor is released either way; a lost flush was already reported as a write error.
        }
    }

    private boolean post(Runnable event) {
        try {
            loop.execute(event);
            return true;
        } catch (RejectedExecutionException e) {
            abort();
            return false;
        }
    }
}
