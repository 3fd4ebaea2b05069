package io.protoloop;

/**
 * A callback scheduled for a time with {@link EventLoop#callLater} or {@link EventLoop#callAt};
 * asyncio's {@code asyncio.TimerHandle}.
 */
public interface TimerHandle extends Handle {

    /** The loop time ({@link EventLoop#time()}, seconds) the callback is scheduled for. */
    double when();
}
