package io.protoloop.internal.loop;

import io.protoloop.TimerHandle;

import java.util.Comparator;
import java.util.concurrent.Future;

/**
 * A callback scheduled for a loop time. It sits in its member's timer queue, ordered by
 * {@link #when()} (FIFO for equal times), and a Netty timer wakes the member when it is due; the
 * member then runs every due timer in order (see {@link MemberLoop#runDueTimers}), so callbacks run
 * ordered by their loop time as asyncio's timer heap does, even when the Netty deadlines computed
 * from two clock readings come out in another order. Cancelling also removes the Netty timer so a
 * cancelled far-future timer holds no memory.
 */
final class LoopTimerHandle extends LoopHandle implements TimerHandle {

    /** Loop time first, then scheduling order. */
    static final Comparator<LoopTimerHandle> ORDER = Comparator.comparingDouble(LoopTimerHandle::when)
            .thenComparingLong(h -> h.sequence);

    private final MemberLoop member;
    private final double when;
    private final long sequence;
    private volatile Future<?> scheduled;

    LoopTimerHandle(LoopRuntime runtime, MemberLoop member, Runnable callback, double when) {
        super(runtime, callback);
        this.member = member;
        this.when = when;
        this.sequence = runtime.nextTimerSequence();
    }

    void scheduled(Future<?> future) {
        this.scheduled = future;
        if (cancelled()) {
            future.cancel(false);
        }
    }

    @Override
    public void cancel() {
        super.cancel();
        member.removeTimer(this);
        Future<?> f = scheduled;
        if (f != null) {
            f.cancel(false);
        }
    }

    @Override
    public double when() {
        return when;
    }
}
