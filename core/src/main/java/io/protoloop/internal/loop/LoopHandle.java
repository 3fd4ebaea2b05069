package io.protoloop.internal.loop;

import io.protoloop.Handle;

/**
 * A scheduled callback: runs {@code callback} through the loop's runner unless cancelled first or
 * the loop was closed meanwhile (asyncio's {@code close()} drops pending callbacks).
 */
class LoopHandle implements Handle, Runnable {

    private final LoopRuntime runtime;
    private final Runnable callback;
    private volatile boolean cancelled;

    LoopHandle(LoopRuntime runtime, Runnable callback) {
        this.runtime = runtime;
        this.callback = callback;
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public void run() {
        if (!cancelled && !runtime.closed()) {
            runtime.runCallback(this, callback);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + callback + (cancelled ? ", cancelled" : "") + "]";
    }
}
