package io.protoloop.spring.actuator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.protoloop.EventLoop;
import io.protoloop.TimerHandle;
import org.jspecify.annotations.Nullable;

/**
 * Measures how late each member loop of an {@link EventLoop} runs its callbacks: a probe on every
 * member re-schedules itself with {@code callLater(interval)} and records by how much it ran after
 * its due time (asyncio users know this as event-loop lag, the delay {@code loop.slow_callback_duration}
 * warns about in debug mode).
 *
 * <p>{@link #getLag(int)} is the current lag: the delay of the latest probe, or, when the pending probe
 * is overdue because the loop is busy or blocked, how long it is overdue. A blocked loop therefore
 * shows at once, not only when it unblocks. Reading it never touches the loop.
 *
 * <p>Cost: one timer callback per member per interval (10 per second at the default 100 ms), nothing
 * on the I/O path. Any block at least one interval long delays a probe and is seen; shorter ones are
 * seen with a probability of their length over the interval.
 */
public final class LoopLagMonitor implements AutoCloseable {

    /** The default probe interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(100);

    private final List<Probe> probes;

    private final Duration interval;

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private volatile boolean running;

    /**
     * Creates a monitor of every member of {@code loop}; {@link #start()} starts probing.
     * @param loop the loop (group) to watch
     * @param interval time between two probes of one member
     */
    public LoopLagMonitor(EventLoop loop, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        this.interval = interval;
        List<Probe> probes = new ArrayList<>();
        List<EventLoop> members = loop.members();
        for (int i = 0; i < members.size(); i++) {
            probes.add(new Probe(i, members.get(i)));
        }
        this.probes = List.copyOf(probes);
    }

    /** Starts probing every member; idempotent. */
    public synchronized void start() {
        if (this.running) {
            return;
        }
        this.running = true;
        for (Probe probe : this.probes) {
            probe.start();
        }
    }

    /** Stops probing; the lags read 0 afterwards. Idempotent. */
    public synchronized void stop() {
        this.running = false;
        for (Probe probe : this.probes) {
            probe.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Whether the monitor is probing.
     * @return whether it runs
     */
    public boolean isRunning() {
        return this.running;
    }

    /**
     * The time between two probes of one member.
     * @return the interval
     */
    public Duration getInterval() {
        return this.interval;
    }

    /**
     * How many member loops are watched.
     * @return the number of members
     */
    public int getMemberCount() {
        return this.probes.size();
    }

    /**
     * The member loop at {@code index}.
     * @param index 0 to {@link #getMemberCount()} - 1
     * @return the member
     */
    public EventLoop getMember(int index) {
        return this.probes.get(index).member;
    }

    /**
     * The current lag of a member: the delay of its latest probe, or how long the pending probe is
     * overdue if that is longer.
     * @param index 0 to {@link #getMemberCount()} - 1
     * @return the lag, zero when not probing
     */
    public Duration getLag(int index) {
        return Duration.ofNanos(this.probes.get(index).lagNanos(System.nanoTime()));
    }

    /**
     * Adds a listener told of every probe's delay, on the member's loop thread (keep it short).
     * @param listener the listener
     */
    public void addListener(Listener listener) {
        this.listeners.add(listener);
    }

    /**
     * Removes a listener.
     * @param listener the listener
     */
    public void removeListener(Listener listener) {
        this.listeners.remove(listener);
    }

    /** Told of each probe's delay. */
    @FunctionalInterface
    public interface Listener {

        /**
         * A probe of member {@code index} ran {@code lagNanos} after its due time.
         * @param index the member index
         * @param lagNanos the delay in nanoseconds
         */
        void sampled(int index, long lagNanos);

    }

    /** One member's probe; runs on the member's loop, read from anywhere. */
    private final class Probe {

        private final int index;

        private final EventLoop member;

        /** {@code System.nanoTime()} the pending probe is due at; 0 when none is pending. */
        private volatile long dueNanos;

        private volatile long lastLagNanos;

        private volatile @Nullable TimerHandle pending;

        /** Bumped by start and stop, so a probe of an earlier run does not re-schedule itself. */
        private volatile int generation;

        Probe(int index, EventLoop member) {
            this.index = index;
            this.member = member;
        }

        void start() {
            int generation = ++this.generation;
            try {
                this.member.callSoon(() -> schedule(generation, System.nanoTime()));
            }
            catch (RuntimeException ex) {
                // The loop is closed: nothing to watch.
            }
        }

        void stop() {
            this.generation++;
            TimerHandle pending = this.pending;
            if (pending != null) {
                pending.cancel();
            }
            this.pending = null;
            this.dueNanos = 0;
            this.lastLagNanos = 0;
        }

        private void schedule(int generation, long now) {
            if (generation != this.generation || !LoopLagMonitor.this.running) {
                return;
            }
            this.dueNanos = now + LoopLagMonitor.this.interval.toNanos();
            try {
                this.pending = this.member.callLater(LoopLagMonitor.this.interval, () -> probe(generation));
            }
            catch (RuntimeException ex) {
                // The loop is closing.
                this.dueNanos = 0;
                this.pending = null;
            }
        }

        private void probe(int generation) {
            if (generation != this.generation) {
                return;
            }
            long now = System.nanoTime();
            long lag = Math.max(0, now - this.dueNanos);
            this.lastLagNanos = lag;
            for (Listener listener : LoopLagMonitor.this.listeners) {
                listener.sampled(this.index, lag);
            }
            schedule(generation, now);
        }

        long lagNanos(long now) {
            long due = this.dueNanos;
            long overdue = (due != 0 && now - due > 0) ? now - due : 0;
            return Math.max(this.lastLagNanos, overdue);
        }

    }

    @Override
    public String toString() {
        return "LoopLagMonitor[members=" + this.probes.size() + ", interval=" + this.interval.toMillis() + "ms"
                + (this.running ? "" : ", stopped") + "]";
    }

    static double toMillis(long nanos) {
        return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }

}
