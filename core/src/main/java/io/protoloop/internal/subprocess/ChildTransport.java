package io.protoloop.internal.subprocess;

import io.protoloop.internal.transport.CallbackErrors;
import io.protoloop.internal.transport.Protocols;
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
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteBufferLimits;
import io.protoloop.transport.WriteTransport;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A child process on the loop: asyncio's {@code BaseSubprocessTransport} state machine over a JDK
 * {@link Process}, with a {@link WritePipeTransport} on its stdin and a {@link ReadPipeTransport} on
 * its stdout and stderr when those are piped.
 *
 * <p>asyncio queues the protocol's callbacks until {@code connection_made} ({@code _pending_calls});
 * here every event reaches the loop as a task posted after the one that calls
 * {@code connectionMade}, so the loop's FIFO order gives the same guarantee. The pipes' ends come
 * from their threads, the exit from an {@link ExitWatch} (the JDK's reaper thread has reaped the
 * child by then, so no zombie is left); {@code connectionLost(null)} follows once both are in.
 * Fields are confined to the loop thread except the volatile ones.
 *
 * <p>Its {@link #snapshot()} (kind {@code subprocess}) adds up its pipes, which take ids of their own:
 * bytes received are stdout's and stderr's, bytes sent stdin's; reading is paused when stdout's or
 * stderr's is ({@code getPipeTransport(fd).pauseReading()}); the write buffer, its limits and
 * writing paused are stdin's (size 0, no limits without a stdin pipe). It is closing once closed or
 * lost ({@link #isClosing()} follows asyncio: only after {@code close()}).
 */
final class ChildTransport implements SubprocessTransport, TransportStatistics, LoopResource {

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
    private final ExitWatch exitWatch;
    private final long id;
    private final Instant openedAt = Instant.now();

    /** Wraps a started process; runs on the thread that started it. */
    ChildTransport(MemberLoop loop, Process process, String command, SubprocessProtocol protocol,
                   SubprocessOptions options) {
        this.loop = loop;
        this.runtime = loop.runtime();
        this.process = process;
        this.handle = process.toHandle();
        this.pid = process.pid();
        this.command = command;
        this.protocol = protocol;
        // Before the pipes': ids follow creation order.
        this.id = runtime.nextTransportId();
        this.exitWatch = new ExitWatch(process, loop.netty(), this::processExited);
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
        pipeOpen[fd] = true;
        return new ReadPipeTransport(loop, new OutputProtocol(fd), stream, null, description, stream);
    }

    /**
     * Starts the reader threads, paused until {@link #connect}. When one cannot be started the caller
     * must {@link #abortOnLoopClose()}, which stops those already running and kills the child.
     */
    void startReaders() {
        startReader(stdout, 1);
        startReader(stderr, 2);
    }

    private void startReader(ReadPipeTransport pipe, int fd) {
        if (pipe == null) {
            return;
        }
        exitWatch.readerStarting();
        try {
            pipe.startThread(pid + "-" + fd, exitWatch::readerDone);
        } catch (Throwable t) {
            exitWatch.readerNotStarted();
            throw t;
        }
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

    /** Arms the exit watch; called once {@link #connect} was posted, so the exit comes after it. */
    void watchExit() {
        exitWatch.start();
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
        // The readers may be paused or the pipes held by a grandchild: look for the exit more often.
        exitWatch.signalled();
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
        loop.runOnLoopUnlessClosed(this::closeOnLoop);
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
            exitWatch.signalled();
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
        SubprocessProtocol p = Protocols.require(newProtocol, SubprocessProtocol.class, "subprocess");
        loop.runOnLoopUnlessClosed(() -> protocol = p);
    }

    @Override
    public BaseProtocol<?> getProtocol() {
        return protocol;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    // ---- monitoring -----------------------------------------------------------------------------

    @Override
    public TransportSnapshot snapshot() {
        boolean readingPaused = (stdout != null && stdout.readingPaused()) || (stderr != null && stderr.readingPaused());
        long received = (stdout != null ? stdout.bytesReceived() : 0) + (stderr != null ? stderr.bytesReceived() : 0);
        boolean writingPaused = false;
        int bufferSize = 0;
        WriteBufferLimits limits = null;
        long sent = 0;
        if (stdin != null) {
            writingPaused = stdin.writingPaused();
            bufferSize = stdin.getWriteBufferSize();
            limits = stdin.getWriteBufferLimits();
            sent = stdin.bytesSent();
        }
        return new TransportSnapshot(id, "subprocess", null, null, false, readingPaused, writingPaused, closed || lost,
                bufferSize, limits, received, sent, 0, 0, 0, openedAt);
    }

    private void report(String message, Throwable error) {
        CallbackErrors.report(runtime, message, error, this, protocol);
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
