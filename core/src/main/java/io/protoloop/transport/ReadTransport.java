package io.protoloop.transport;

/**
 * A transport that receives; asyncio's {@code asyncio.ReadTransport}.
 *
 * <p>{@link #pauseReading()} and {@link #resumeReading()} are idempotent (asyncio 3.7+): pausing a
 * paused or closing transport, or resuming a reading one, does nothing. While paused, no data
 * callback is delivered, not even for bytes the engine had already read.
 */
public interface ReadTransport extends BaseTransport {

    /** Whether the transport is receiving: neither paused nor closing. */
    boolean isReading();

    /** Stops delivering received data until {@link #resumeReading()}. */
    void pauseReading();

    /** Resumes delivering received data, starting with anything held while paused. */
    void resumeReading();
}
