package io.protoloop.internal.loop;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.protoloop.EventLoop;
import io.protoloop.ExceptionHandler;
import io.protoloop.LoopOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the members of one loop group share: the Netty group, the engine, the exception handler,
 * debug settings, the default executor and the lifecycle flags.
 */
public final class LoopRuntime {

    /** asyncio logs under "asyncio"; we log under the public type so users find it. */
    static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    private final Engine engine;
    private final MultiThreadIoEventLoopGroup group;
    private final long originNanos = System.nanoTime();
    private final AtomicLong slowCallbacks = new AtomicLong();
    private final String executorThreadPrefix;
    private volatile EventLoop owner;
    private volatile java.util.function.Function<io.netty.util.concurrent.EventExecutor, MemberLoop> members;
    private volatile ExceptionHandler exceptionHandler;
    private volatile boolean debug;
    private volatile long slowCallbackNanos;
    private volatile Executor defaultExecutor;
    private ExecutorService ownedExecutor;
    private volatile boolean closed;
    private final Set<LoopResource> resources = ConcurrentHashMap.newKeySet();
    /** Per-group helpers made on first use (readiness selector, signal registrations); see {@link #extension}. */
    private final Map<Class<?>, Object> extensions = new ConcurrentHashMap<>();
    private final AtomicLong transportIds = new AtomicLong();
    /** Completes when {@link #close} starts; wakes {@code runUntilComplete} callers. */
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    /** Guards the stop state below ({@code runForever}/{@code stop}). */
    private final Object stopLock = new Object();
    /** asyncio's {@code _stopping} for a stop() that came while nobody was in runForever(). */
    private boolean pendingStop;
    /** Bumped by each stop() that releases the threads blocked in runForever(). */
    private long stopGeneration;
    private int runningForever;
    /** Tie-breaker for timers scheduled for the same loop time (FIFO, as callSoon). */
    private final AtomicLong timerSequence = new AtomicLong();

    LoopRuntime(LoopOptions options) {
        this.engine = Engine.select(options.transport());
        this.group = new MultiThreadIoEventLoopGroup(options.threads(),
                new DefaultThreadFactory(options.threadNamePrefix(), false), engine.ioHandlerFactory());
        this.debug = options.debug();
        this.slowCallbackNanos = options.slowCallbackDuration().toNanos();
        this.executorThreadPrefix = options.threadNamePrefix() + "-executor";
    }

    void owner(EventLoop owner) {
        this.owner = owner;
    }

    void members(java.util.function.Function<io.netty.util.concurrent.EventExecutor, MemberLoop> lookup) {
        this.members = lookup;
    }

    /** The member loop running on the Netty loop {@code executor}. */
    public MemberLoop member(io.netty.util.concurrent.EventExecutor executor) {
        return members.apply(executor);
    }

    /** The group facade (what {@code EventLoop.create} returned). */
    public EventLoop owner() {
        return owner;
    }

    public Engine engine() {
        return engine;
    }

    MultiThreadIoEventLoopGroup group() {
        return group;
    }

    /** Loop time in seconds, shared by every member so {@code callAt} means the same everywhere. */
    double time() {
        return (System.nanoTime() - originNanos) / 1e9;
    }

    public boolean debug() {
        return debug;
    }

    void debug(boolean enabled) {
        this.debug = enabled;
    }

    Duration slowCallbackDuration() {
        return Duration.ofNanos(slowCallbackNanos);
    }

    void slowCallbackDuration(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("slow callback duration must not be negative, was " + duration);
        }
        this.slowCallbackNanos = duration.toNanos();
    }

    /** How many callbacks took longer than the slow-callback threshold (counted in debug mode). */
    public long slowCallbacks() {
        return slowCallbacks.get();
    }

    /**
     * Runs one loop callback: a throw goes to the exception handler; in debug mode a callback slower
     * than the threshold is logged, as asyncio's {@code Handle._run} does.
     */
    void runCallback(Object handle, Runnable callback) {
        // A flag, not "start != 0": System.nanoTime() may legitimately return 0 or a negative value.
        boolean timed = debug;
        long start = timed ? System.nanoTime() : 0L;
        try {
            callback.run();
        } catch (Throwable t) {
            callExceptionHandler(Map.of("message", "Exception in callback " + callback, "exception", t,
                    "handle", handle));
        } finally {
            if (timed) {
                reportIfSlow(handle, System.nanoTime() - start);
            }
        }
    }

    long nextTimerSequence() {
        return timerSequence.getAndIncrement();
    }

    /** Debug-mode accounting for protocol callbacks the transports run themselves. */
    public void reportIfSlow(Object what, long elapsedNanos) {
        if (elapsedNanos >= slowCallbackNanos) {
            slowCallbacks.incrementAndGet();
            LOG.warn("Executing {} took {} seconds", what, String.format(Locale.ROOT, "%.3f", elapsedNanos / 1e9));
        }
    }

    // ---- exception handling ---------------------------------------------------------------------

    ExceptionHandler exceptionHandler() {
        return exceptionHandler;
    }

    void exceptionHandler(ExceptionHandler handler) {
        this.exceptionHandler = handler;
    }

    /**
     * asyncio's {@code call_exception_handler}: the custom handler if set, and if it throws, the
     * default handler reports both errors. Never throws.
     */
    public void callExceptionHandler(Map<String, Object> context) {
        ExceptionHandler handler = exceptionHandler;
        if (handler == null) {
            try {
                defaultExceptionHandler(context);
            } catch (Throwable t) {
                // asyncio: "Exception in default exception handler" (e.g. a context value whose toString throws).
                try {
                    LOG.error("Exception in default exception handler", t);
                } catch (Throwable ignored) {
                    // Logging itself failed; an exception handler must never break the loop.
                }
            }
            return;
        }
        try {
            handler.handle(owner, context);
        } catch (Throwable t) {
            try {
                defaultExceptionHandler(Map.of("message", "Unhandled error in exception handler", "exception", t,
                        "context", context));
            } catch (Throwable ignored) {
                // Nothing sensible is left to do; an exception handler must never break the loop.
            }
        }
    }

    /** asyncio's {@code default_exception_handler}: the message, then one line per other key, sorted. */
    void defaultExceptionHandler(Map<String, Object> context) {
        Object message = context.get("message");
        StringBuilder text = new StringBuilder(message == null ? "Unhandled exception in event loop"
                : String.valueOf(message));
        for (Map.Entry<String, Object> e : new TreeMap<>(context).entrySet()) {
            if (!e.getKey().equals("message") && !e.getKey().equals("exception")) {
                text.append('\n').append(e.getKey()).append(": ").append(e.getValue());
            }
        }
        Object exception = context.get("exception");
        if (exception instanceof Throwable) {
            LOG.error(text.toString(), (Throwable) exception);
        } else {
            LOG.error(text.toString());
        }
    }

    // ---- executor -------------------------------------------------------------------------------

    synchronized Executor defaultExecutor() {
        Executor e = defaultExecutor;
        if (e == null) {
            if (closed) {
                throw new IllegalStateException("the event loop is closed");
            }
            // asyncio's ThreadPoolExecutor default: min(32, cpus + 4) workers.
            int max = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
            ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), new DefaultThreadFactory(executorThreadPrefix, true));
            pool.allowCoreThreadTimeOut(true);
            ownedExecutor = pool;
            defaultExecutor = pool;
            e = pool;
        }
        return e;
    }

    synchronized void defaultExecutor(Executor executor) {
        this.defaultExecutor = executor;
    }

    // ---- owned resources ------------------------------------------------------------------------

    /** Registers something to abort when the loop closes. */
    public void register(LoopResource resource) {
        resources.add(resource);
    }

    /** How many transports and servers are registered now. */
    public int resourceCount() {
        return resources.size();
    }

    /** A new transport id, unique in this loop group. */
    public long nextTransportId() {
        return transportIds.incrementAndGet();
    }

    /** Forgets {@code resource} (it closed by itself). */
    public void unregister(LoopResource resource) {
        resources.remove(resource);
    }

    /**
     * The group's helper of {@code type}, made by {@code factory} on first use. A helper that is a
     * {@link LoopResource} is aborted when the loop closes, after the transports, without counting
     * as a transport in {@link #resourceCount()}.
     *
     * @throws IllegalStateException when the loop is closed and the helper does not exist yet
     */
    public <T> T extension(Class<T> type, java.util.function.Function<LoopRuntime, ? extends T> factory) {
        Object existing = extensions.get(type);
        if (existing != null) {
            return type.cast(existing);
        }
        synchronized (this) {
            // Under the lock close() takes, so no helper is made after close() aborted the others.
            if (closed) {
                throw new IllegalStateException("the event loop is closed");
            }
            return type.cast(extensions.computeIfAbsent(type, k -> factory.apply(this)));
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    boolean closed() {
        return closed;
    }

    /**
     * asyncio's {@code stop()}: releases the threads blocked in {@link #awaitStop()}; when none is,
     * the next {@code runForever()} returns at once (asyncio runs one iteration, then returns), so
     * {@code loop.callSoon(loop::stop); loop.runForever();} never hangs whatever the timing.
     */
    void stop() {
        synchronized (stopLock) {
            if (runningForever > 0) {
                stopGeneration++;
                stopLock.notifyAll();
            } else {
                pendingStop = true;
            }
        }
    }

    /** Blocks until {@link #stop()} or {@link #close}; asyncio's {@code run_forever()}. */
    void awaitStop() {
        synchronized (stopLock) {
            if (pendingStop) {
                pendingStop = false;
                return;
            }
            long generation = stopGeneration;
            runningForever++;
            try {
                while (generation == stopGeneration && !closed) {
                    stopLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                runningForever--;
            }
        }
    }

    /** Completes when the loop is closed. */
    CompletableFuture<Void> closedFuture() {
        return closedFuture;
    }

    void close(boolean onLoopThread) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
        }
        synchronized (stopLock) {
            pendingStop = false;
            stopLock.notifyAll();
        }
        // Every transport and server still open is aborted so no channel, buffer or socket file is
        // left behind; the aborts run as Netty tasks, which Netty drains before terminating.
        for (LoopResource resource : new java.util.ArrayList<>(resources)) {
            try {
                resource.abortOnLoopClose();
            } catch (RuntimeException e) {
                LOG.warn("Error aborting {} while closing the loop", resource, e);
            }
        }
        for (Object extension : extensions.values()) {
            if (extension instanceof LoopResource) {
                try {
                    ((LoopResource) extension).abortOnLoopClose();
                } catch (RuntimeException e) {
                    LOG.warn("Error aborting {} while closing the loop", extension, e);
                }
            }
        }
        // Quiet period 0: asyncio's close() drops pending callbacks rather than waiting for more
        // (LoopHandle skips its callback once the loop is closed; Netty still runs its own tasks).
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        closedFuture.complete(null);
        if (!onLoopThread) {
            try {
                group.terminationFuture().await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
