package io.protoloop.internal.selector;

import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.MemberLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readiness of JDK {@link SelectableChannel}s for one loop group: asyncio's selector as far as
 * {@code add_reader}/{@code add_writer} and the {@code sock_*} methods use it.
 *
 * <p>Why a thread of its own: the loop threads block in Netty's epoll, io_uring or NIO selector,
 * which only takes Netty channels (Netty's channels own their registrations, and an epoll or
 * io_uring loop cannot take a JDK channel at all). So one small thread per loop group,
 * {@code protoloop-selector-N}, blocks in a plain JDK {@link Selector}, and hands each readiness to
 * the loop that asked, where the callback or the retried syscall runs. It starts on first need
 * and ends when the loop closes.
 *
 * <p>Readiness is level-triggered, as asyncio's: an interest is disarmed while its callback is
 * queued or running on the loop and re-armed after, so a reader keeps being called while the channel
 * stays readable, but never piles callbacks up on a slow loop.
 *
 * <p>Per channel and direction there is either one user callback ({@code addReader}; a second one
 * replaces the first, as asyncio) or a FIFO queue of socket operations: concurrent
 * {@code sockRecv}s on one channel complete in call order, and each tries the syscall first, only
 * waiting for readiness when it would block. asyncio lets a {@code sock_recv} silently replace a
 * reader callback (and drop it for good when done); here mixing the two on one channel and direction
 * is refused with an {@link IllegalStateException}.
 *
 * <p>Threads: the registry below is guarded by {@link #lock}; selection keys are touched only by
 * the selector thread. The selector thread never runs user code or completes a future: it posts to
 * the loops.
 */
public final class ReadinessSelector implements LoopResource {

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessSelector.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    /**
     * While channels are registered, how often the thread wakes to notice channels closed under it.
     * A close cancels the key without waking the selector, and the JDK defers closing the socket
     * until the selector drops the key; this bounds both delays.
     */
    private static final long SWEEP_MILLIS = 250;
    private static final int READ_OPS = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int WRITE_OPS = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    private final Object lock = new Object();
    /** Every channel with a callback or a pending operation. Guarded by {@link #lock}. */
    private final Map<SelectableChannel, ChannelWatch> watches = new HashMap<>();
    /** Watches whose selection key must be brought up to date. Guarded by {@link #lock}. */
    private final ArrayDeque<ChannelWatch> dirty = new ArrayDeque<>();
    private Selector selector;
    private Thread thread;
    private boolean stopped;
    private long lastSweep;
    private volatile int keyCount;

    private ReadinessSelector() {
    }

    /** The selector of {@code loop}'s group, created on first use. */
    public static ReadinessSelector of(AbstractLoop loop) {
        return loop.runtime().extension(ReadinessSelector.class, runtime -> new ReadinessSelector());
    }

    /** The selector of {@code loop}'s group if one was made (and the loop is open), else null. */
    public static ReadinessSelector existing(AbstractLoop loop) {
        try {
            return loop.runtime().extension(ReadinessSelector.class, runtime -> null);
        } catch (IllegalStateException closed) {
            return null;
        }
    }

    // ---- add_reader / add_writer ----------------------------------------------------------------

    /**
     * asyncio's {@code add_reader} ({@code read}) or {@code add_writer}: {@code callback} runs on
     * {@code loop} whenever the channel is ready, until removed; it replaces an earlier callback for
     * the same channel and direction.
     */
    public void addWatcher(MemberLoop loop, SelectableChannel channel, boolean read, Runnable callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        if (!channel.isOpen()) {
            throw new IllegalArgumentException("the channel is closed: " + channel);
        }
        requireWatchable(channel, read);
        synchronized (lock) {
            requireRunning();
            ChannelWatch watch = watchFor(channel);
            Slot slot = watch.slot(read);
            if (!slot.ops.isEmpty() || slot.draining) {
                throw new IllegalStateException(channel + " has a pending " + slot.pendingName()
                        + "; wait for it (or cancel it) before " + (read ? "addReader" : "addWriter"));
            }
            if (slot.watcher != null) {
                slot.watcher.active = false;
            }
            slot.watcher = new Watcher(loop, callback, slot);
            slot.armed = true;
            markDirty(watch);
        }
    }

    /**
     * asyncio's {@code remove_reader}/{@code remove_writer}: stops watching; a callback already
     * handed to the loop does not run.
     *
     * @return whether a callback was registered
     */
    public boolean removeWatcher(SelectableChannel channel, boolean read) {
        Objects.requireNonNull(channel, "channel");
        synchronized (lock) {
            ChannelWatch watch = watches.get(channel);
            if (watch == null || stopped) {
                return false;
            }
            Slot slot = watch.slot(read);
            Watcher watcher = slot.watcher;
            if (watcher == null) {
                return false;
            }
            watcher.active = false;
            slot.watcher = null;
            slot.armed = false;
            markDirty(watch);
            releaseIfIdle(watch);
            return true;
        }
    }

    /**
     * What the JDK needs to register {@code channel} with a selector. A closed channel passes: a
     * socket operation on it fails its future with the {@link java.nio.channels.ClosedChannelException}
     * of its first try, as asyncio's fails with {@code OSError(EBADF)}.
     */
    static void requireWatchable(SelectableChannel channel, boolean read) {
        if (channel.isBlocking()) {
            throw new IllegalArgumentException("the channel must be non-blocking (configureBlocking(false)): "
                    + channel);
        }
        if (channel.provider() != SelectorProvider.provider()) {
            throw new IllegalArgumentException("the channel comes from another SelectorProvider ("
                    + channel.provider().getClass().getName() + ") and cannot be watched: " + channel);
        }
        if ((channel.validOps() & (read ? READ_OPS : WRITE_OPS)) == 0) {
            throw new IllegalArgumentException(channel + " cannot be watched for " + (read ? "reading" : "writing"));
        }
    }

    // ---- sock_* ---------------------------------------------------------------------------------

    /** Queues {@code op} behind the channel's earlier operations of its direction and starts it. */
    void submit(SockOp<?> op) {
        requireWatchable(op.watched, op.read);
        Slot slot;
        boolean start;
        synchronized (lock) {
            requireRunning();
            ChannelWatch watch = watchFor(op.watched);
            slot = watch.slot(op.read);
            if (slot.watcher != null) {
                releaseIfIdle(watch);
                throw new IllegalStateException(op.watched + " is watched by " + (op.read ? "addReader" : "addWriter")
                        + "; remove that callback before " + op.name() + " (asyncio would silently replace it)");
            }
            slot.ops.add(op);
            // An idle slot tries at once, without waiting for readiness (asyncio tries the syscall
            // first); otherwise the op waits its turn.
            start = !slot.draining && !slot.armed;
            if (start) {
                slot.draining = true;
            }
        }
        op.future.whenComplete((result, failure) -> {
            if (op.future.isCancelled()) {
                cancelled(op);
            }
        });
        if (start) {
            runDrain(op.loop, slot);
        }
    }

    private void cancelled(SockOp<?> op) {
        synchronized (lock) {
            ChannelWatch watch = watches.get(op.watched);
            if (watch != null) {
                Slot slot = watch.slot(op.read);
                if (slot.ops.remove(op) && slot.ops.isEmpty() && !slot.draining) {
                    // Nothing left to wait for: drop the interest (asyncio's remove_reader on cancel).
                    slot.armed = false;
                    markDirty(watch);
                    releaseIfIdle(watch);
                }
            }
        }
        op.cancelled();
    }

    /**
     * Runs the queued operations of {@code slot} in order on their loops, until one would block
     * (then the slot waits for readiness) or none is left. Only one drain runs per slot at a time
     * ({@code slot.draining}).
     */
    private void drain(Slot slot) {
        while (true) {
            SockOp<?> op;
            synchronized (lock) {
                op = slot.ops.peek();
                while (op != null && op.future.isDone()) {
                    slot.ops.poll();
                    op = slot.ops.peek();
                }
                if (op == null) {
                    slot.draining = false;
                    releaseIfIdle(slot.watch);
                    return;
                }
                if (!op.loop.inLoop()) {
                    runDrain(op.loop, slot);
                    return;
                }
            }
            boolean finished;
            Throwable failure = null;
            try {
                finished = op.attempt();
            } catch (Throwable t) {
                failure = t;
                finished = true;
            }
            boolean more;
            synchronized (lock) {
                if (!finished) {
                    if (slot.ops.peek() == op && !op.future.isDone()) {
                        slot.draining = false;
                        if (!stopped) {
                            slot.armed = true;
                            markDirty(slot.watch);
                        }
                        return;
                    }
                    continue; // cancelled meanwhile: on with the next one
                }
                // Off the queue before the future completes: its callbacks may use the channel at once
                // (another sockRecv, or addReader, which a queued operation would refuse).
                slot.ops.remove(op);
                more = !slot.ops.isEmpty();
                if (!more) {
                    slot.draining = false;
                    releaseIfIdle(slot.watch);
                }
            }
            if (failure != null) {
                op.future.completeExceptionally(failure);
            } else {
                op.finish();
            }
            if (!more) {
                return;
            }
        }
    }

    /**
     * Runs {@link #drain} on {@code loop} as a task of its own, also when called on that loop: a
     * future is never completed inside the call that made it, so its callbacks never run nested in
     * the caller (asyncio schedules done-callbacks with {@code call_soon} for the same reason). A
     * chain of receives that find their data ready, each started by the previous one's callback,
     * then runs one per task instead of one stack frame deeper each.
     */
    private void runDrain(MemberLoop loop, Slot slot) {
        try {
            loop.netty().execute(() -> drain(slot));
        } catch (RejectedExecutionException e) {
            // The loop is closing; abortOnLoopClose fails whatever is still queued.
            failSlot(slot, new IllegalStateException("the event loop is closed", e));
        }
    }

    /** Fails every queued operation of {@code slot}, on its loop when possible. */
    private void failSlot(Slot slot, Throwable failure) {
        List<SockOp<?>> failed;
        synchronized (lock) {
            failed = new ArrayList<>(slot.ops);
            slot.ops.clear();
            slot.draining = false;
            slot.armed = false;
            releaseIfIdle(slot.watch);
        }
        for (SockOp<?> op : failed) {
            failOnLoop(op, failure);
        }
    }

    private static void failOnLoop(SockOp<?> op, Throwable failure) {
        try {
            op.loop.netty().execute(() -> op.future.completeExceptionally(failure));
        } catch (RejectedExecutionException e) {
            op.future.completeExceptionally(failure);
        }
    }

    // ---- registry -------------------------------------------------------------------------------

    private void requireRunning() {
        if (stopped) {
            throw new IllegalStateException("the event loop is closed");
        }
    }

    private ChannelWatch watchFor(SelectableChannel channel) {
        return watches.computeIfAbsent(channel, ChannelWatch::new);
    }

    /** Forgets {@code watch} once nothing uses it; its key (if any) is cancelled by the selector thread. */
    private void releaseIfIdle(ChannelWatch watch) {
        if (!watch.released && watch.reader.idle() && watch.writer.idle()) {
            watch.released = true;
            watches.remove(watch.channel, watch);
            if (watch.hasKey) {
                markDirty(watch);
            }
        }
    }

    /** Asks the selector thread to bring {@code watch}'s key up to date. Caller holds {@link #lock}. */
    private void markDirty(ChannelWatch watch) {
        if (stopped) {
            return;
        }
        if (!watch.dirty) {
            watch.dirty = true;
            dirty.add(watch);
        }
        ensureThread();
        selector.wakeup();
    }

    private void ensureThread() {
        if (thread != null) {
            return;
        }
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector for addReader/sock_* operations", e);
        }
        thread = new Thread(this::run, "protoloop-selector-" + THREAD_IDS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    // ---- the selector thread --------------------------------------------------------------------

    private void run() {
        List<Runnable> dispatches = new ArrayList<>();
        try {
            while (true) {
                boolean flush;
                boolean watching;
                synchronized (lock) {
                    if (stopped) {
                        return;
                    }
                    flush = reconcileDirty();
                    sweepIfDue();
                    watching = !watches.isEmpty();
                }
                if (flush) {
                    // Drops cancelled keys now, so the key count is right and a channel closed while
                    // registered really closes (the JDK defers that until the key is dropped).
                    selector.selectNow();
                }
                keyCount = selector.keys().size();
                if (selector.selectedKeys().isEmpty()) {
                    // A close drops the key without waking us: keep sweeping while anything is watched.
                    if (watching) {
                        selector.select(SWEEP_MILLIS);
                    } else {
                        selector.select();
                    }
                }
                synchronized (lock) {
                    if (stopped) {
                        return;
                    }
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        ready(key, dispatches);
                    }
                }
                for (Runnable dispatch : dispatches) {
                    dispatch.run();
                }
                dispatches.clear();
            }
        } catch (Throwable t) {
            LOG.error("The readiness selector failed; addReader/addWriter and sock_* operations stop working", t);
            abort(new IllegalStateException("the readiness selector failed", t));
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("Error closing the readiness selector", e);
            }
            keyCount = 0;
        }
    }

    /** Brings every dirty watch's key up to date; returns whether a key was cancelled. */
    private boolean reconcileDirty() throws IOException {
        boolean cancelled = false;
        ChannelWatch watch;
        while ((watch = dirty.poll()) != null) {
            watch.dirty = false;
            cancelled |= reconcile(watch);
        }
        return cancelled;
    }

    private boolean reconcile(ChannelWatch watch) throws IOException {
        SelectableChannel channel = watch.channel;
        SelectionKey key = channel.keyFor(selector);
        if (watch.released) {
            if (key != null && key.attachment() == watch) {
                key.cancel();
                return true;
            }
            return false;
        }
        if (watch.closed) {
            return false;
        }
        if (!channel.isOpen()) {
            channelClosed(watch);
            return false;
        }
        int ops = (watch.reader.armed ? readOps(channel) : 0) | (watch.writer.armed ? writeOps(channel) : 0);
        try {
            if (key != null && !key.isValid()) {
                // Cancelled in this pass (the channel's previous watch was released): drop it first.
                selector.selectNow();
                key = null;
            }
            if (key == null) {
                channel.register(selector, ops, watch);
                watch.hasKey = true;
            } else {
                key.attach(watch);
                key.interestOps(ops);
                watch.hasKey = true;
            }
        } catch (RuntimeException | IOException e) {
            // Closed meanwhile, or switched to blocking mode behind our back.
            if (!channel.isOpen()) {
                channelClosed(watch);
            } else {
                LOG.warn("Cannot watch {}: {}", channel, e.toString());
                watchFailed(watch, e);
            }
        }
        return false;
    }

    private static int readOps(SelectableChannel channel) {
        return channel instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
    }

    private static int writeOps(SelectableChannel channel) {
        // A connecting socket reports writability as OP_CONNECT (the JDK hides OP_WRITE until connected).
        return channel instanceof SocketChannel && ((SocketChannel) channel).isConnectionPending()
                ? SelectionKey.OP_CONNECT : SelectionKey.OP_WRITE;
    }

    /** A key came back ready: disarm its directions and hand them to their loops. */
    private void ready(SelectionKey key, List<Runnable> dispatches) {
        if (!key.isValid() || !(key.attachment() instanceof ChannelWatch)) {
            return;
        }
        ChannelWatch watch = (ChannelWatch) key.attachment();
        int ready = key.readyOps();
        if ((ready & READ_OPS) != 0) {
            fire(watch.reader, dispatches);
        }
        if ((ready & WRITE_OPS) != 0) {
            fire(watch.writer, dispatches);
        }
        int ops = (watch.reader.armed ? readOps(watch.channel) : 0)
                | (watch.writer.armed ? writeOps(watch.channel) : 0);
        try {
            key.interestOps(ops);
        } catch (RuntimeException e) {
            // Cancelled by a close: the sweep notices.
        }
    }

    private void fire(Slot slot, List<Runnable> dispatches) {
        if (!slot.armed) {
            return;
        }
        slot.armed = false;
        Watcher watcher = slot.watcher;
        if (watcher != null) {
            dispatches.add(() -> {
                try {
                    watcher.loop.callSoon(watcher);
                } catch (IllegalStateException closed) {
                    // The loop closed; its close aborts this selector.
                }
            });
        } else if (!slot.ops.isEmpty()) {
            slot.draining = true;
            MemberLoop loop = slot.ops.peek().loop;
            dispatches.add(() -> runDrain(loop, slot));
        }
    }

    private void sweepIfDue() {
        long now = System.nanoTime();
        // Half the period: a timed select may return a little early by the nanoTime clock.
        if (watches.isEmpty() || now - lastSweep < TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS) / 2) {
            return;
        }
        lastSweep = now;
        for (ChannelWatch watch : new ArrayList<>(watches.values())) {
            if (!watch.closed && !watch.channel.isOpen()) {
                channelClosed(watch);
            }
        }
    }

    /**
     * The channel was closed while watched. Waiting operations fail with an
     * {@link AsynchronousCloseException}; callbacks stay registered but never fire (as with asyncio,
     * where the kernel drops a closed descriptor from epoll): {@code removeReader} still returns true.
     */
    private void channelClosed(ChannelWatch watch) {
        watch.closed = true;
        for (Slot slot : List.of(watch.reader, watch.writer)) {
            slot.armed = false;
            for (SockOp<?> op : slot.ops) {
                failOnLoop(op, new AsynchronousCloseException());
            }
            slot.ops.clear();
        }
        releaseIfIdle(watch);
    }

    /** The channel cannot be registered (it was made blocking): fail its operations, drop its callbacks. */
    private void watchFailed(ChannelWatch watch, Exception cause) {
        for (Slot slot : List.of(watch.reader, watch.writer)) {
            slot.armed = false;
            if (slot.watcher != null) {
                slot.watcher.active = false;
                slot.watcher = null;
            }
            for (SockOp<?> op : slot.ops) {
                failOnLoop(op, cause);
            }
            slot.ops.clear();
        }
        releaseIfIdle(watch);
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /** Closing the loop cancels every watch, fails every pending operation and ends the thread. */
    @Override
    public void abortOnLoopClose() {
        abort(new IllegalStateException("the event loop was closed"));
        Thread t;
        synchronized (lock) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void abort(Throwable failure) {
        List<SockOp<?>> failed = new ArrayList<>();
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            for (ChannelWatch watch : watches.values()) {
                for (Slot slot : List.of(watch.reader, watch.writer)) {
                    if (slot.watcher != null) {
                        slot.watcher.active = false;
                        slot.watcher = null;
                    }
                    failed.addAll(slot.ops);
                    slot.ops.clear();
                    slot.armed = false;
                }
                watch.released = true;
            }
            watches.clear();
            dirty.clear();
            if (selector != null) {
                selector.wakeup();
            }
        }
        // The loops are closing too: complete here rather than on them.
        for (SockOp<?> op : failed) {
            op.future.completeExceptionally(failure);
        }
    }

    // ---- for tests and monitoring ---------------------------------------------------------------

    /** Keys registered with the JDK selector after its last wake-up (0 when nothing is watched). */
    public int keyCount() {
        return keyCount;
    }

    /** Channels with a callback or a pending operation now. */
    public int watchCount() {
        synchronized (lock) {
            return watches.size();
        }
    }

    /** The selector thread, or null before the first wait. */
    public Thread thread() {
        synchronized (lock) {
            return thread;
        }
    }

    @Override
    public String toString() {
        return "ReadinessSelector[" + watchCount() + " channel(s)" + (stopped ? ", stopped" : "") + "]";
    }

    // ---- state ----------------------------------------------------------------------------------

    /** What one channel is watched for. Guarded by {@link #lock}, except {@link #channel}. */
    private final class ChannelWatch {
        final SelectableChannel channel;
        final Slot reader = new Slot(this, true);
        final Slot writer = new Slot(this, false);
        boolean dirty;
        boolean released;
        boolean closed;
        /** Whether the selector thread registered the channel for this watch (so release must cancel). */
        boolean hasKey;

        ChannelWatch(SelectableChannel channel) {
            this.channel = channel;
        }

        Slot slot(boolean read) {
            return read ? reader : writer;
        }
    }

    /** One direction of a channel: a user callback, or a queue of socket operations. */
    private final class Slot {
        final ChannelWatch watch;
        final boolean read;
        Watcher watcher;
        final ArrayDeque<SockOp<?>> ops = new ArrayDeque<>();
        /** Waiting for readiness (the key's interest includes this direction). */
        boolean armed;
        /** A drain is scheduled or running on a loop. */
        boolean draining;

        Slot(ChannelWatch watch, boolean read) {
            this.watch = watch;
            this.read = read;
        }

        boolean idle() {
            return watcher == null && ops.isEmpty() && !draining;
        }

        String pendingName() {
            SockOp<?> head = ops.peek();
            return head != null ? head.name() : read ? "read operation" : "write operation";
        }
    }

    /** An {@code addReader}/{@code addWriter} callback; the loop runs it through {@code callSoon}. */
    private final class Watcher implements Runnable {
        final MemberLoop loop;
        final Runnable callback;
        final Slot slot;
        /** False once removed or replaced: a run already queued on the loop does nothing. */
        boolean active = true;

        Watcher(MemberLoop loop, Runnable callback, Slot slot) {
            this.loop = loop;
            this.callback = callback;
            this.slot = slot;
        }

        @Override
        public void run() {
            synchronized (lock) {
                if (!active) {
                    return;
                }
            }
            try {
                callback.run();
            } finally {
                // Level-triggered: watch again once the callback returned (it may have removed itself).
                synchronized (lock) {
                    if (active && slot.watcher == this) {
                        slot.armed = true;
                        markDirty(slot.watch);
                    }
                }
            }
        }

        @Override
        public String toString() {
            return callback + " (" + (slot.read ? "reader" : "writer") + " of " + slot.watch.channel + ")";
        }
    }
}
