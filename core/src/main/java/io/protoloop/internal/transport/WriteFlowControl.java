package io.protoloop.internal.transport;

import io.protoloop.transport.WriteBufferLimits;

/**
 * asyncio's {@code _FlowControlMixin} as pure logic: a byte count and the water marks, deciding when
 * the protocol is paused or resumed. The owner calls the protocol; this class only decides.
 *
 * <p>Rules (CPython {@code transports.py}): pause when the size is strictly over {@code high} and not
 * yet paused; resume when paused and the size is at or under {@code low}. Not thread-safe: the owning
 * transport uses it on its loop thread only.
 */
public final class WriteFlowControl {

    private WriteBufferLimits limits;
    private long size;
    /** {@code size} for readers on other threads (monitoring, off-loop getWriteBufferSize). */
    private volatile long published;
    private volatile boolean paused;

    public WriteFlowControl(WriteBufferLimits limits) {
        this.limits = limits;
    }

    /** Counts {@code bytes} more buffered. */
    public void add(long bytes) {
        size += bytes;
        published = size;
    }

    /** Counts {@code bytes} fewer buffered (sent or dropped). */
    public void remove(long bytes) {
        size -= bytes;
        published = size;
    }

    /** Forgets every buffered byte (asyncio's {@code _force_close} clears the buffer). */
    public void clear() {
        size = 0;
        published = 0;
    }

    public long size() {
        return size;
    }

    /**
     * asyncio's {@code get_write_buffer_size()}: exact on the owner's loop, the last published value
     * elsewhere; saturates at {@code Integer.MAX_VALUE}.
     */
    public int reportedSize(boolean onLoop) {
        return (int) Math.min(Integer.MAX_VALUE, onLoop ? size : published);
    }

    public boolean paused() {
        return paused;
    }

    public WriteBufferLimits limits() {
        return limits;
    }

    /** Replaces the limits; the caller then asks {@link #shouldPause()} (asyncio never resumes here). */
    public void limits(WriteBufferLimits limits) {
        this.limits = limits;
    }

    /** Whether the protocol must be paused now; when true, the state is already "paused". */
    public boolean shouldPause() {
        if (size <= limits.high() || paused) {
            return false;
        }
        paused = true;
        return true;
    }

    /** Whether the protocol must be resumed now; when true, the state is already "not paused". */
    public boolean shouldResume() {
        if (paused && size <= limits.low()) {
            paused = false;
            return true;
        }
        return false;
    }
}
