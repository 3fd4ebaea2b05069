package io.protoloop.spring.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.SubprocessOptions;
import io.protoloop.TimerHandle;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A supervised SUBPROCESS endpoint: asyncio's {@code subprocess_exec} / {@code subprocess_shell}
 * with a supervisor around it. The process starts with the application; when it exits, the
 * {@link RestartPolicy} decides whether it starts again, after a back-off that doubles up to
 * {@code restart.max-backoff}, at most {@code restart.max-restarts} times. At shutdown it gets
 * SIGTERM, then SIGKILL after {@code stop-timeout}.
 */
final class SubprocessEndpointRunner extends EndpointRunner {

    private static final Log logger = LogFactory.getLog(SubprocessEndpointRunner.class);

    /** How long to wait for the pipes to close once a killed child is gone. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final Object lock = new Object();

    private volatile @Nullable SubprocessTransport transport;

    /** Completes once the current process exited and its transport is closed. */
    private volatile CompletableFuture<Void> ended = CompletableFuture.completedFuture(null);

    private volatile boolean stopping;

    private volatile int restarts;

    /** Processes that exited since the endpoint started (written under the lock). */
    private volatile long exits;

    private volatile @Nullable Integer lastExitCode;

    /** Bytes of the processes that exited since the endpoint started (written under the lock). */
    private volatile long exitedBytesReceived;

    private volatile long exitedBytesSent;

    private @Nullable TimerHandle restartTimer;

    SubprocessEndpointRunner(EndpointSpec spec, EventLoop loop) {
        super(spec, loop);
    }

    static EndpointRunner create(EndpointSpec spec, EventLoop loop) {
        return new SubprocessEndpointRunner(spec, loop);
    }

    @Override
    CompletableFuture<Void> start() {
        synchronized (this.lock) {
            this.stopping = false;
            this.restarts = 0;
            this.exits = 0;
            this.lastExitCode = null;
            this.exitedBytesReceived = 0;
            this.exitedBytesSent = 0;
            this.state = State.STARTING;
        }
        return spawn().handle((transport, failure) -> {
            if (failure != null) {
                this.state = State.STOPPED;
                throw started(startFailure(StartFailures.unwrap(failure)));
            }
            started(null);
            return null;
        });
    }

    private CompletableFuture<SubprocessTransport> spawn() {
        @SuppressWarnings("unchecked")
        Supplier<? extends SubprocessProtocol> factory = (Supplier<? extends SubprocessProtocol>) this.spec.factory();
        CompletableFuture<? extends Connection<SubprocessTransport, ? extends SubprocessProtocol>> spawned;
        try {
            // The endpoint's write-buffer.* water marks apply to the one thing it writes to: stdin.
            SubprocessOptions options = SubprocessOptions.builder()
                .stdinWriteBufferLimits(this.spec.writeBufferLimits().high(), this.spec.writeBufferLimits().low())
                .build();
            spawned = (this.spec.shell() != null)
                    ? this.loop.subprocessShell(factory, this.spec.shell(), options)
                    : this.loop.subprocessExec(factory, this.spec.command(), options);
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        return spawned.thenApply((connection) -> {
            SubprocessTransport transport = connection.transport();
            synchronized (this.lock) {
                this.transport = transport;
                this.state = this.stopping ? State.STOPPING : State.RUNNING;
                ProcessHandle handle = transport.getExtraInfo("subprocess");
                CompletableFuture<Void> ended = handle.onExit().thenCompose((exited) -> whenLost(transport));
                this.ended = ended;
                ended.whenComplete((result, ex) -> exited(transport));
            }
            return transport;
        });
    }

    private RuntimeException startFailure(Throwable cause) {
        if (cause instanceof IOException) {
            String property = this.spec.property((this.spec.shell() != null) ? "shell" : "command");
            String what = (this.spec.shell() != null) ? "'" + this.spec.shell() + "'" : this.spec.command().toString();
            return new InvalidEndpointException(this.spec.name(), property,
                    "Protoloop endpoint " + this.spec.describe() + " could not start " + what + ": "
                            + cause.getMessage(),
                    "Check '" + property + "'" + (this.spec.origin().startsWith("@")
                            ? " (or the command and shell attributes of " + this.spec.origin() + ")" : "")
                            + ": the program must exist and be executable.",
                    cause);
        }
        return StartFailures.translate(this.spec, cause);
    }

    /** The supervisor's decision once a process is gone: done, back off and restart, or give up. */
    private void exited(SubprocessTransport transport) {
        synchronized (this.lock) {
            if (transport != this.transport) {
                return;
            }
            Integer code = transport.getReturncode();
            this.lastExitCode = code;
            this.exits++;
            this.transport = null;
            countBytes(transport);
            if (this.stopping) {
                return;
            }
            String process = "Protoloop endpoint " + this.spec.describe() + ": process " + transport.getPid()
                    + " exited with code " + code;
            if (!shouldRestart(code)) {
                this.state = State.EXITED;
                logger.info(process + " (restart policy " + this.spec.restart() + ")");
                return;
            }
            scheduleRestart(process);
        }
    }

    /**
     * Adds the bytes of a process that is gone to the endpoint's totals, with the lock held, after it
     * left {@link #getTransports()}: a reader that takes the totals first and the transports after
     * may miss it once, but never counts it twice.
     */
    private void countBytes(SubprocessTransport transport) {
        if (transport instanceof TransportStatistics statistics) {
            TransportSnapshot snapshot = statistics.snapshot();
            this.exitedBytesReceived += snapshot.bytesReceived();
            this.exitedBytesSent += snapshot.bytesSent();
        }
    }

    private boolean shouldRestart(@Nullable Integer code) {
        return switch (this.spec.restart()) {
            case NEVER -> false;
            case ON_FAILURE -> code == null || code != 0;
            case ALWAYS -> true;
        };
    }

    /** Called with the lock held. */
    private void scheduleRestart(String reason) {
        int max = this.spec.maxRestarts();
        if (max >= 0 && this.restarts >= max) {
            this.state = State.FAILED;
            logger.error(reason + "; giving up after " + this.restarts + " restart(s) (" + this.spec.property(
                    "restart.max-restarts") + "=" + max + ")");
            return;
        }
        Duration delay = backoff(this.restarts);
        this.state = State.BACKING_OFF;
        logger.warn(reason + "; restarting in " + delay.toMillis() + "ms");
        try {
            this.restartTimer = this.loop.callLater(delay, this::restart);
        }
        catch (IllegalStateException ex) {
            // The loop is closing: nothing to restart on.
            this.state = State.STOPPED;
        }
    }

    /** {@code backoff * 2^n}, at most {@code max-backoff}. */
    Duration backoff(int restartsSoFar) {
        Duration delay = this.spec.backoff();
        for (int i = 0; i < restartsSoFar && delay.compareTo(this.spec.maxBackoff()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return (delay.compareTo(this.spec.maxBackoff()) > 0) ? this.spec.maxBackoff() : delay;
    }

    private void restart() {
        synchronized (this.lock) {
            this.restartTimer = null;
            if (this.stopping) {
                return;
            }
            this.restarts++;
            this.state = State.STARTING;
        }
        spawn().whenComplete((transport, failure) -> {
            if (failure != null) {
                synchronized (this.lock) {
                    if (!this.stopping) {
                        scheduleRestart("Protoloop endpoint " + this.spec.describe() + ": restart failed ("
                                + StartFailures.unwrap(failure).getMessage() + ")");
                    }
                }
            }
            else {
                logger.info("Protoloop endpoint " + this.spec.describe() + " restarted (pid " + transport.getPid()
                        + ", restart " + this.restarts + ")");
            }
        });
    }

    /** Graceful phase: the process keeps running, but is no longer restarted. */
    @Override
    CompletableFuture<Void> shutDownGracefully() {
        synchronized (this.lock) {
            this.stopping = true;
            cancelRestart();
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    Dropped abort() {
        return Dropped.NONE;
    }

    /**
     * SIGTERM, then SIGKILL after {@code stop-timeout}, to the process and to every process it started
     * (a shell's {@code sleep}, a worker pool): signalling the child alone would orphan its own children,
     * still running after the application stopped. The future completes once they are all gone.
     */
    @Override
    CompletableFuture<Void> stop() {
        SubprocessTransport transport;
        CompletableFuture<Void> ended;
        synchronized (this.lock) {
            this.stopping = true;
            cancelRestart();
            transport = this.transport;
            ended = this.ended;
            if (transport == null) {
                this.state = State.STOPPED;
                return CompletableFuture.completedFuture(null);
            }
            this.state = State.STOPPING;
        }
        // Taken before any signal: once the child dies its children are re-parented and out of reach.
        List<ProcessHandle> descendants = descendants(transport);
        logger.info("Protoloop endpoint " + this.spec.describe() + ": stopping process " + transport.getPid()
                + ((descendants.isEmpty()) ? "" : " and its " + descendants.size() + " descendant(s)")
                + " (SIGTERM, then SIGKILL after " + this.spec.stopTimeout().toMillis() + "ms)");
        signal(transport, false);
        descendants.forEach(ProcessHandle::destroy);
        long timeout = this.spec.stopTimeout().toMillis();
        return CompletableFuture.allOf(ended.copy(), exited(descendants))
            .orTimeout(timeout, TimeUnit.MILLISECONDS)
            .exceptionallyCompose((failure) -> {
                if (StartFailures.unwrap(failure) instanceof TimeoutException) {
                    logger.warn("Protoloop endpoint " + this.spec.describe() + ": process " + transport.getPid()
                            + " or a descendant did not exit within " + timeout + "ms of SIGTERM; killing them");
                    signal(transport, true);
                    descendants.forEach(ProcessHandle::destroyForcibly);
                    return CompletableFuture.allOf(ended.copy(), exited(descendants))
                        .orTimeout(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
                return CompletableFuture.failedFuture(failure);
            })
            .handle((result, failure) -> {
                // Releases the pipes even when a grandchild keeps them open.
                transport.close();
                synchronized (this.lock) {
                    if (this.transport == transport) {
                        this.transport = null;
                        this.lastExitCode = transport.getReturncode();
                        this.exits++;
                        countBytes(transport);
                    }
                    this.state = State.STOPPED;
                }
                return null;
            });
    }

    private static List<ProcessHandle> descendants(SubprocessTransport transport) {
        return ProcessHandle.of(transport.getPid()).map((process) -> process.descendants().toList()).orElse(List.of());
    }

    private static CompletableFuture<Void> exited(List<ProcessHandle> processes) {
        return CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new));
    }

    private static void signal(SubprocessTransport transport, boolean kill) {
        try {
            if (kill) {
                transport.kill();
            }
            else {
                transport.terminate();
            }
        }
        catch (IllegalStateException ex) {
            // Already exited and closed.
        }
    }

    /** Called with the lock held. */
    private void cancelRestart() {
        TimerHandle timer = this.restartTimer;
        if (timer != null) {
            timer.cancel();
            this.restartTimer = null;
        }
    }

    @Override
    public List<BaseTransport> getTransports() {
        SubprocessTransport transport = this.transport;
        return (transport != null) ? List.of(transport) : List.of();
    }

    @Override
    public @Nullable Long getPid() {
        SubprocessTransport transport = this.transport;
        return (transport != null) ? transport.getPid() : null;
    }

    @Override
    public int getRestarts() {
        return this.restarts;
    }

    @Override
    public @Nullable Integer getLastExitCode() {
        return this.lastExitCode;
    }

    @Override
    public long getExitCount() {
        return this.exits;
    }

    @Override
    public long getExitedBytesReceived() {
        return this.exitedBytesReceived;
    }

    @Override
    public long getExitedBytesSent() {
        return this.exitedBytesSent;
    }

}
