package io.protoloop.internal.loop;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.protoloop.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * One loop thread of a group: an {@link EventLoop} whose callbacks, servers and connections all live
 * on a single Netty {@link IoEventLoop}.
 */
public final class MemberLoop extends AbstractLoop {

    private final IoEventLoop netty;
    private final int index;
    /** Pending callLater/callAt handles, ordered by loop time then scheduling order. */
    private final ConcurrentSkipListSet<LoopTimerHandle> timers = new ConcurrentSkipListSet<>(LoopTimerHandle.ORDER);

    MemberLoop(LoopRuntime runtime, IoEventLoop netty, int index) {
        super(runtime);
        this.netty = netty;
        this.index = index;
    }

    /** The Netty loop under this member. */
    public IoEventLoop netty() {
        return netty;
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return netty.inEventLoop();
    }

    /** Runs {@code task} on this loop now if already on it, otherwise soon. */
    public void runOnLoop(Runnable task) {
        if (netty.inEventLoop()) {
            task.run();
        } else {
            netty.execute(task);
        }
    }

    /**
     * {@link #runOnLoop} for the public methods of a transport: once the loop is closed, a call from
     * another thread acts on a transport the loop's close already closed, so it is dropped, as asyncio
     * drops writes after close, instead of failing the caller. False when dropped, so the caller can
     * release what it allocated for the task.
     */
    public boolean runOnLoopUnlessClosed(Runnable task) {
        try {
            runOnLoop(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return false;
        }
    }

    void addTimer(LoopTimerHandle handle) {
        timers.add(handle);
    }

    void removeTimer(LoopTimerHandle handle) {
        timers.remove(handle);
    }

    /**
     * What the Netty timer of {@code trigger} runs, on this loop's thread: every timer due by now
     * (and at least {@code trigger} itself, which Netty says is due), in loop-time order, like one
     * iteration of asyncio's {@code _run_once} moving due timers to the ready queue.
     */
    void runDueTimers(LoopTimerHandle trigger) {
        double now = Math.max(runtime.time(), trigger.when());
        List<LoopTimerHandle> due = new ArrayList<>();
        for (LoopTimerHandle handle : timers) {
            if (handle.when() > now) {
                break;
            }
            if (timers.remove(handle)) {
                due.add(handle);
            }
        }
        for (LoopTimerHandle handle : due) {
            handle.run();
        }
    }

    @Override
    public MemberLoop scheduler() {
        return this;
    }

    @Override
    public EventLoopGroup childGroup() {
        return netty;
    }

    @Override
    public MemberLoop nextMember() {
        return this;
    }

    @Override
    public List<EventLoop> members() {
        return List.of(this);
    }

    @Override
    public String toString() {
        return "EventLoop[member " + index + ", " + transportType() + (isClosed() ? ", closed" : "") + "]";
    }
}
