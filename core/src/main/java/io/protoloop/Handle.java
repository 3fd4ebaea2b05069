package io.protoloop;

/**
 * A callback scheduled with {@link EventLoop#callSoon}; asyncio's {@code asyncio.Handle}.
 */
public interface Handle {

    /** Cancels the callback; it does nothing if the callback already ran or was cancelled. */
    void cancel();

    /** Whether {@link #cancel()} was called before the callback ran. */
    boolean cancelled();
}
