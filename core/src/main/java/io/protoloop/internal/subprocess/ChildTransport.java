package io.protoloop.internal.subprocess;

import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.Redirect;
import io.protoloop.SubprocessOptions;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.Transport;
import io.protoloop.transport.WriteTransport;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A child process on the loop: asyncio's {@code BaseSubprocessTransport} state machine over a JDK
 * {@link Process}, with a {@link WritePipeTransport} on its stdin and a {@link ReadPipeTransport} on
 * its stdout and stderr when those are piped.
 *
 * <p>asyncio queues the protocol's callbacks until {@code connection_made} ({@code _pending_calls});
 * here every event reaches the loop as a task posted after the one that calls
 * {@code connectionMade}, so the loop's FIFO order gives the same guarantee. The exit comes from
 * {@link Process#onExit()} (the JDK's reaper thread has already reaped the child, so no zombie is
 * left), the pipes' ends from their threads; {@code connectionLost(null)} follows once both are in.
 *
 * <p>The exit and the output race, and asyncio allows any order. Code like the asyncio
 * documentation's {@code DateProtocol} (close on {@code process_exited}, then read what was
 * collected) nevertheless expects the output first, so {@code processExited} waits until the readers
 * of stdout and stderr ended, which they do as soon as they read the EOF the child's exit caused,
 * but never more than {@link #EXIT_GRACE_MILLIS}: a grandchild holding a pipe open, or a paused
 * pipe, must not hold back the exit.
 * Fields are confined to the loop thread except the volatile ones.
 */
final class ChildTransport implements SubprocessTransport, LoopResource {

    /** How long {@code processExited} waits for the output pipes' EOF at most (see the class comment). */
    static final long EXIT_GRACE_MILLIS = 100;

    private final MemberLoop loop;
    private final LoopRuntime runtime;
    private final Process process;
    private final ProcessHandle handle;
    private final long pid;
    private final String command;
    private final Signals signals = new Signals();
    private final WritePipeTransport stdin;
    private final ReadPipeTransport stdout;
    private final ReadPipeTransport stderr;
    /** Which piped fds still wait for their {@code pipeConnectionLost}. */
    private final boolean[] pipeOpen = new boolean[3];
    /** Volatile: {@code getProtocol()} may be called from any thread. */
    private volatile SubprocessProtocol protocol;
    private volatile Integer returncode;
    private volatile boolean closed;
    private volatile boolean lost;
    private boolean finished;
    /** Guards the exit hand-off below; touched by reader threads and the JDK's exit thread. */
    private final Object exitLock = new Object();
    private int readersRunning;
    private boolean exitNoticed;
    private boolean exitPosted;

    /**
     * Wraps a started process; runs on the thread that started it. The reader threads start here,
     * paused until {@link #connect}.
     */
    ChildTransport(MemberLoop loop, Process process, String command, SubprocessProtocol protocol,
                   SubprocessOptions options) {
        this.loop = loop;
        this.runtime = loop.runtime();
        this.process = process;
        this.handle = process.toHandle();
        this.pid = process.pid();
        this.command = command;
        this.protocol = protocol;
        String of = " of process " + pid + " (" + command + ")";
        if (options.stdin() == Redirect.PIPE) {
            stdin = new WritePipeTransport(loop, new StdinProtocol(), process.getOutputStream(), null,
                    options.stdinWriteBufferLimits(), "stdin" + of, pid + "-0", process.getOutputStream());
            pipeOpen[0] = true;
        } else {
            stdin = null;
        }
        stdout = options.stdout() == Redirect.PIPE ? readPipe(1, "stdout" + of) : null;
        stderr = options.stderr() == Redirect.PIPE ? readPipe(2, "stderr" + of) : null;
    }

    private ReadPipeTransport readPipe(int fd, String description) {
        var stream = fd == 1 ? process.getInputStream() : process.getErrorStream();
        ReadPipeTransport pipe = new ReadPipeTransport(loop, new OutputProtocol(fd), stream, null, description, stream);
        synchronized (exitLock) {
            readersRunning++;
        }
        pipe.startThread(pid + "-" + fd, this::readerDone);
        pipeOpen[fd] = true;
        return pipe;
    }

    /**
     * On the loop: the pipes connect first and the protocol's {@code connectionMade} follows (as in
     * asyncio's {@code _connect_pipes}), then reading starts and the future completes.
     */
    <P extends SubprocessProtocol> void connect(CompletableFuture<Connection<SubprocessTransport, P>> result,
                                                P created) {
        if (stdin != null) {
            stdin.connect();
        }
        if (stdout != null) {
            stdout.connect();
        }
        if (stderr != null) {
            stderr.connect();
        }
        try {
            protocol.connectionMade(this);
        } catch (Throwable t) {
            report("protocol.connectionMade() failed", t);
        }
        if (stdout != null) {
            stdout.startReading();
        }
        if (stderr != null) {
            stderr.startReading();
        }
        result.complete(new Connection<>(this, created));
    }

    /** Called from the JDK's exit notification thread. */
    void exitNoticed() {
        synchronized (exitLock) {
            exitNoticed = true;
            if (readersRunning > 0) {
                try {
                    loop.netty().schedule(this::postExit, EXIT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    postExit();
                }
                return;
            }
        }
        postExit();
    }

    /** Called by each reader thread as it ends, after it handed its EOF to the loop. */
    private void readerDone() {
        synchronized (exitLock) {
            if (--readersRunning > 0 || !exitNoticed) {
                return;
            }
        }
        postExit();
    }

    private void postExit() {
        synchronized (exitLock) {
            if (exitPosted) {
                return;
            }
            exitPosted = true;
        }
        try {
            loop.netty().execute(this::processExited);
        } catch (RejectedExecutionException ignored) {
            // The loop is closed; it killed the child and nobody is left to tell.
        }
    }

    // ---- events, on the loop --------------------------------------------------------------------

    private void processExited() {
        if (returncode != null) {
            return;
        }
        returncode = signals.returncode(process.exitValue());
        try {
            protocol.processExited();
        } catch (Throwable t) {
            report("protocol.processExited() failed", t);
        }
        if (stdin != null) {
            stdin.readerGone();
        }
        tryFinish();
    }

    void pipeDataReceived(int fd, ByteBuffer data) {
        SubprocessProtocol p = protocol;
        try {
            long start = runtime.debug() ? System.nanoTime() : 0L;
            p.pipeDataReceived(fd, data);
            if (start != 0L) {
                runtime.reportIfSlow(p.getClass().getName() + ".pipeDataReceived", System.nanoTime() - start);
            }
        } catch (Throwable t) {
            // asyncio schedules pipe_data_received with call_soon: the handler hears, nothing closes.
            report("protocol.pipeDataReceived() failed", t);
        }
    }

    void pipeConnectionLost(int fd, Throwable exc) {
        pipeOpen[fd] = false;
        try {
            protocol.pipeConnectionLost(fd, exc);
        } catch (Throwable t) {
            report("protocol.pipeConnectionLost() failed", t);
        }
        tryFinish();
    }

    /** asyncio's {@code _try_finish}: lost once the child exited and every pipe closed. */
    private void tryFinish() {
        if (returncode == null || finished) {
            return;
        }
        for (boolean open : pipeOpen) {
            if (open) {
                return;
            }
        }
        finished = true;
        lost = true;
        try {
            protocol.connectionLost(null);
        } catch (Throwable t) {
            report("protocol.connectionLost() failed", t);
        } finally {
            protocol = null;
            runtime.unregister(this);
        }
    }

    // ---- SubprocessTransport --------------------------------------------------------------------

    @Override
    public long getPid() {
        return pid;
    }

    @Override
    public BaseTransport getPipeTransport(int fd) {
        switch (fd) {
            case 0:
                return stdin;
            case 1:
                return stdout;
            case 2:
                return stderr;
            default:
                return null;
        }
    }

    @Override
    public Integer getReturncode() {
        return returncode;
    }

    @Override
    public void kill() {
        signal(Signals.SIGKILL);
    }

    @Override
    public void terminate() {
        signal(Signals.SIGTERM);
    }

    @Override
    public void sendSignal(int signal) {
        if (signal < 0 || signal > Signals.MAX_SIGNAL) {
            throw new IllegalArgumentException("signal must be in 0.." + Signals.MAX_SIGNAL + ", was " + signal);
        }
        signal(signal);
    }

    /**
     * asyncio's {@code _check_proc} then {@code Popen.send_signal}: an error once the transport is
     * lost, nothing when the child already exited. Runs in the caller's thread: signals need no loop.
     */
    private void signal(int signal) {
        if (lost) {
            throw new IllegalStateException("process " + pid + " (" + command + ") has exited and its transport "
                    + "is closed: cannot send signal " + signal);
        }
        // ProcessHandle checks the start time as well as the pid, so a reused pid is never signalled.
        if (!handle.isAlive() || signal == 0) {
            return;
        }
        signals.sending(signal);
        if (signal == Signals.SIGKILL) {
            // Not process.destroyForcibly(): it also closes the pipes, losing output not yet read.
            handle.destroyForcibly();
        } else if (signal == Signals.SIGTERM) {
            handle.destroy();
        } else {
            try {
                Signals.sendWithKillUtility(pid, signal);
            } catch (IllegalStateException e) {
                if (handle.isAlive()) {
                    throw e;
                }
                // It exited meanwhile: as Popen.send_signal, nothing to do.
            }
        }
    }

    @Override
    public boolean isClosing() {
        return closed;
    }

    /** asyncio's {@code close()}: close every pipe, then SIGKILL the child if it still runs. */
    @Override
    public void close() {
        loop.runOnLoop(this::closeOnLoop);
    }

    private void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        if (stdin != null) {
            stdin.close();
        }
        if (stdout != null) {
            stdout.close();
        }
        if (stderr != null) {
            stderr.close();
        }
        if (returncode == null && handle.isAlive()) {
            signals.sending(Signals.SIGKILL);
            handle.destroyForcibly();
        }
    }

    /**
     * The loop is closing: kill the child now and stop the pipe threads from here (the loop may run
     * no more tasks); the reaper thread still reaps the child, so nothing is left behind.
     */
    @Override
    public void abortOnLoopClose() {
        closed = true;
        if (returncode == null && handle.isAlive()) {
            signals.sending(Signals.SIGKILL);
            handle.destroyForcibly();
        }
        if (stdin != null) {
            stdin.abortOnLoopClose();
        }
        if (stdout != null) {
            stdout.abortOnLoopClose();
        }
        if (stderr != null) {
            stderr.abortOnLoopClose();
        }
        runtime.unregister(this);
    }

    // ---- the rest of BaseTransport --------------------------------------------------------------

    @Override
    public <T> T getExtraInfo(String name) {
        return getExtraInfo(name, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getExtraInfo(String name, T defaultValue) {
        return "subprocess".equals(Objects.requireNonNull(name, "name")) ? (T) handle : defaultValue;
    }

    @Override
    public void setProtocol(BaseProtocol<?> newProtocol) {
        if (!(newProtocol instanceof SubprocessProtocol)) {
            throw new IllegalArgumentException((newProtocol == null ? "null" : newProtocol.getClass().getName())
                    + " is not a SubprocessProtocol");
        }
        loop.runOnLoop(() -> protocol = (SubprocessProtocol) newProtocol);
    }

    @Override
    public BaseProtocol<?> getProtocol() {
        return protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    private void report(String message, Throwable error) {
        CallbackReports.report(runtime, message, error, this, protocol);
    }

    @Override
    public String toString() {
        return "SubprocessTransport[pid=" + pid + ", " + command + (returncode != null ? ", returncode=" + returncode
                : "") + (closed ? ", closed" : "") + "]";
    }

    // ---- the pipes' protocols (asyncio's ReadSubprocessPipeProto / WriteSubprocessPipeProto) ----

    /** Forwards a stdout or stderr pipe's events to the subprocess protocol, tagged with the fd. */
    private final class OutputProtocol implements Protocol {
        private final int fd;

        OutputProtocol(int fd) {
            this.fd = fd;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            pipeDataReceived(fd, data);
        }

        @Override
        public void connectionLost(Throwable exc) {
            pipeConnectionLost(fd, exc);
        }

        @Override
        public void connectionMade(Transport transport) {
        }

        @Override
        public String toString() {
            return "OutputProtocol[fd=" + fd + ", " + ChildTransport.this + "]";
        }
    }

    /** Forwards the stdin pipe's loss and flow control to the subprocess protocol. */
    private final class StdinProtocol implements BaseProtocol<WriteTransport> {

        @Override
        public void connectionLost(Throwable exc) {
            pipeConnectionLost(0, exc);
        }

        @Override
        public void pauseWriting() {
            SubprocessProtocol p = protocol;
            if (p != null) {
                p.pauseWriting();
            }
        }

        @Override
        public void resumeWriting() {
            SubprocessProtocol p = protocol;
            if (p != null) {
                p.resumeWriting();
            }
        }

        @Override
        public String toString() {
            return "StdinProtocol[" + ChildTransport.this + "]";
        }
    }
}
