package io.protoloop;

import io.protoloop.internal.loop.LoopGroup;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.ReadTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.Transport;
import io.protoloop.transport.WriteTransport;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * An asyncio event loop on Netty; asyncio's {@code asyncio.AbstractEventLoop}, names mapped by the
 * rule {@code call_soon -> callSoon}.
 *
 * <p>A loop created with {@link #create(LoopOptions)} owns {@code threads} member loops, one thread
 * each, and runs from creation until {@link #close()}; nothing has to call {@link #runForever()}.
 * The object {@code create} returns fronts the whole group: its scheduling methods run callbacks on
 * the first member, servers spread accepted connections over every member, and connections are
 * placed round-robin. {@link #members()} gives each member loop, which is an {@code EventLoop} of its
 * own; {@code transport.loop()} is the member a transport lives on.
 *
 * <p>Callbacks scheduled on one loop run in FIFO order, one at a time, on its thread. Every method
 * may be called from any thread ({@code callSoon} off the loop behaves as
 * {@code callSoonThreadsafe}). An exception thrown by a callback goes to the exception handler.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.create()) {
 *     Server server = loop.createServer(EchoProtocol::new, "127.0.0.1", 8888).join();
 *     server.serveForever().join();
 * }
 * }</pre>
 */
public interface EventLoop extends AutoCloseable {

    /** Creates a running loop with one thread and the best engine. */
    static EventLoop create() {
        return create(LoopOptions.DEFAULT);
    }

    /** Creates a running loop group as {@code options} says. */
    static EventLoop create(LoopOptions options) {
        return LoopGroup.create(options);
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /** The member loops (a member returns a list of itself). */
    List<EventLoop> members();

    /** The engine this loop runs on (never {@link LoopTransport#AUTO}). */
    LoopTransport transportType();

    /** Whether the loop runs callbacks: true from creation until {@link #close()}. */
    boolean isRunning();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /**
     * Makes {@link #runForever()} return; callbacks keep running until {@link #close()}. As in asyncio,
     * a stop that comes while no thread is in {@code runForever()} makes the next call return at once,
     * so {@code loop.callSoon(loop::stop); loop.runForever();} cannot hang.
     */
    void stop();

    /**
     * Closes the loop and every member: open transports are aborted, pending callbacks are dropped,
     * the default executor is shut down. Idempotent; waits for the loop threads unless called on one.
     */
    @Override
    void close();

    /** Blocks the calling thread until {@link #stop()} or {@link #close()}; asyncio's {@code run_forever()}. */
    void runForever();

    /**
     * Blocks the calling thread until {@code future} completes and returns its result; asyncio's
     * {@code run_until_complete()}.
     *
     * @throws java.util.concurrent.CompletionException with the future's failure
     * @throws IllegalStateException                   when called on a loop thread (it would deadlock), or
     *                                                 when the loop is (or gets) closed before the future
     *                                                 completes
     */
    <T> T runUntilComplete(CompletableFuture<T> future);

    /** Whether debug mode (slow-callback reports) is on. */
    boolean getDebug();

    /** Turns debug mode on or off. */
    void setDebug(boolean enabled);

    /** The slow-callback threshold of debug mode. */
    Duration getSlowCallbackDuration();

    /** Sets the slow-callback threshold of debug mode. */
    void setSlowCallbackDuration(Duration duration);

    /**
     * This loop's counters now (a protoloop extension for monitoring): for the group object all
     * members together, for a member that member alone (slow callbacks are counted group-wide).
     */
    LoopStatistics statistics();

    // ---- scheduling -----------------------------------------------------------------------------

    /** Runs {@code callback} on the loop soon, after the callbacks already scheduled (FIFO). */
    Handle callSoon(Runnable callback);

    /** Same as {@link #callSoon}; exists for asyncio users (every call here is thread-safe). */
    Handle callSoonThreadsafe(Runnable callback);

    /** Runs {@code callback} after {@code delay} seconds. */
    TimerHandle callLater(double delay, Runnable callback);

    /** Runs {@code callback} after {@code delay}. */
    TimerHandle callLater(Duration delay, Runnable callback);

    /** Runs {@code callback} at loop time {@code when} (see {@link #time()}). */
    TimerHandle callAt(double when, Runnable callback);

    /** The loop's monotonic clock, in seconds. */
    double time();

    /**
     * A new future whose {@code *Async} continuations run on this loop by default, asyncio's
     * {@code loop.create_future()}.
     */
    <T> CompletableFuture<T> createFuture();

    /**
     * Runs blocking {@code work} on {@code executor} ({@code null}: the default executor) and
     * completes the returned future with its result.
     */
    <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> work);

    /** Replaces the executor {@link #runInExecutor} uses for {@code null}. */
    void setDefaultExecutor(Executor executor);

    // ---- error handling -------------------------------------------------------------------------

    /** Replaces the exception handler; {@code null} restores the default. */
    void setExceptionHandler(ExceptionHandler handler);

    /** The current handler, or {@code null} when the default is in use. */
    ExceptionHandler getExceptionHandler();

    /** Reports an error to the current handler (the default when none is set). */
    void callExceptionHandler(Map<String, Object> context);

    /** The default handler: logs {@code context} through SLF4J (logger {@code io.protoloop.EventLoop}). */
    void defaultExceptionHandler(Map<String, Object> context);

    // ---- streams --------------------------------------------------------------------------------

    /**
     * Starts a TCP server on {@code host} ({@code null}: every interface) and {@code port} (0: pick one).
     * Each accepted connection gets a protocol from {@code factory}.
     */
    default <P extends BaseProtocol<Transport>> CompletableFuture<Server> createServer(
            Supplier<? extends P> factory, String host, int port) {
        return createServer(factory, host, port, ServerOptions.DEFAULT);
    }

    /** Starts a TCP server on {@code host} and {@code port} with {@code options}. */
    default <P extends BaseProtocol<Transport>> CompletableFuture<Server> createServer(
            Supplier<? extends P> factory, String host, int port, ServerOptions options) {
        return createServer(factory, host == null ? null : List.of(host), port, options);
    }

    /**
     * Starts a TCP server listening on every address of every host in {@code hosts}
     * ({@code null}: every interface).
     *
     * @throws IllegalArgumentException (thrown at once) for a null factory or a port outside 0..65535;
     *                                  a port in use fails the future with a {@link java.net.BindException}
     *                                  naming the address
     */
    <P extends BaseProtocol<Transport>> CompletableFuture<Server> createServer(
            Supplier<? extends P> factory, List<String> hosts, int port, ServerOptions options);

    /** Connects to {@code host}:{@code port}, trying every resolved address in order. */
    default <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createConnection(
            Supplier<? extends P> factory, String host, int port) {
        return createConnection(factory, host, port, ConnectionOptions.DEFAULT);
    }

    /**
     * Connects to {@code host}:{@code port} with {@code options}, trying every resolved address in
     * order; the future completes after the protocol's {@code connectionMade}.
     */
    <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createConnection(
            Supplier<? extends P> factory, String host, int port, ConnectionOptions options);

    /**
     * Starts a Unix domain socket server at {@code path}. A stale socket file is replaced; any other
     * file there fails the future. The server removes its file when closed.
     */
    <P extends BaseProtocol<Transport>> CompletableFuture<Server> createUnixServer(
            Supplier<? extends P> factory, String path, ServerOptions options);

    /** Connects to the Unix domain socket at {@code path}. */
    <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<? extends P> factory, String path, ConnectionOptions options);

    /**
     * Wraps a connected socket accepted outside the loop (asyncio's
     * {@code connect_accepted_socket}); the loop takes ownership of {@code channel}.
     */
    <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> connectAcceptedSocket(
            Supplier<? extends P> factory, SocketChannel channel, ConnectionOptions options);

    /**
     * Upgrades a live stream connection to TLS, asyncio's {@code loop.start_tls()} (STARTTLS-style
     * protocols). Buffered writes are flushed first; the returned transport is the one to use from
     * then on (the old one stops doing anything). {@code protocol} keeps receiving the callbacks,
     * without a second {@code connectionMade}. A failed handshake fails the future and aborts the
     * connection.
     */
    CompletableFuture<Transport> startTls(Transport transport, BaseProtocol<Transport> protocol,
                                          SSLContext sslContext, StartTlsOptions options);

    // ---- datagrams ------------------------------------------------------------------------------

    /**
     * Creates a UDP endpoint bound to {@code localAddr} ({@code null}: any address, an ephemeral
     * port) and, when {@code remoteAddr} is given, connected to it; asyncio's
     * {@code create_datagram_endpoint}. The future completes after the protocol's
     * {@code connectionMade}.
     *
     * @throws IllegalArgumentException (at once) when both addresses are null and no family is given,
     *                                  or the addresses' families differ
     */
    <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpoint(
            Supplier<? extends P> factory, InetSocketAddress localAddr, InetSocketAddress remoteAddr,
            DatagramOptions options);

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} ({@code null}: to the end) over
     * {@code transport} after its buffered data, zero-copy where the transport allows it. The
     * future completes with the bytes sent; the file's position ends at {@code offset + sent}.
     */
    CompletableFuture<Long> sendfile(Transport transport, FileChannel file, long offset, Long count);

    // ---- pipes and subprocesses -----------------------------------------------------------------

    /**
     * Starts {@code argv} (a program and its arguments, no shell) as a child process; asyncio's
     * {@code subprocess_exec}. The protocol is created first, on the loop; the future completes
     * after its {@code connectionMade}. See {@link SubprocessTransport} and
     * {@link SubprocessProtocol} for the callbacks and their order.
     *
     * <p>A child that cannot be started fails the future with an {@link java.io.IOException} naming
     * the command and the cause ({@link java.io.FileNotFoundException} for a missing program or
     * working directory); the loop is not affected.
     *
     * @throws IllegalArgumentException (at once) for an empty {@code argv}
     */
    <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<? extends P> factory, List<String> argv, SubprocessOptions options);

    /** {@link #subprocessExec(Supplier, List, SubprocessOptions)} with asyncio's defaults (three pipes). */
    default <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<? extends P> factory, List<String> argv) {
        return subprocessExec(factory, argv, SubprocessOptions.DEFAULT);
    }

    /**
     * Runs {@code command} through {@code /bin/sh -c} as a child process; asyncio's
     * {@code subprocess_shell}. Everything else is as {@link #subprocessExec}; quoting
     * {@code command} is the caller's job.
     */
    <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<? extends P> factory, String command, SubprocessOptions options);

    /** {@link #subprocessShell(Supplier, String, SubprocessOptions)} with asyncio's defaults. */
    default <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<? extends P> factory, String command) {
        return subprocessShell(factory, command, SubprocessOptions.DEFAULT);
    }

    /**
     * Reads {@code pipe} with a protocol from {@code factory}; asyncio's {@code connect_read_pipe}.
     * The transport owns the pipe and closes it. The protocol hears {@code dataReceived}, then at EOF
     * {@code eofReceived()} (its result ignored, as for asyncio pipes) and {@code connectionLost(null)}.
     * The transport is a {@link Transport} because {@code Protocol.connectionMade} takes one, but
     * its write methods throw {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException (at once) when the pipe is registered with a selector
     */
    <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectReadPipe(
            Supplier<? extends P> factory, Pipe.SourceChannel pipe);

    /**
     * Opens the FIFO (or character device) at {@code fifo} for reading and reads it as
     * {@link #connectReadPipe(Supplier, Pipe.SourceChannel)} does. Opening waits for a writer, so
     * the future completes once one opened the other end; a path that is not a FIFO or character
     * device fails it with {@link IllegalArgumentException}.
     */
    <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectReadPipe(
            Supplier<? extends P> factory, Path fifo);

    /**
     * Writes to {@code pipe} through a {@link WriteTransport}; asyncio's {@code connect_write_pipe}.
     * The transport owns the pipe and closes it. Flow control is asyncio's (64 KiB / 16 KiB), a byte
     * counting as buffered until the write that took it returned; {@code writeEof()} and
     * {@code close()} both flush, close the pipe and call {@code connectionLost(null)}.
     *
     * @throws IllegalArgumentException (at once) when the pipe is registered with a selector
     */
    <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWritePipe(
            Supplier<? extends P> factory, Pipe.SinkChannel pipe);

    /**
     * Opens the FIFO (or character device) at {@code fifo} for writing and writes it as
     * {@link #connectWritePipe(Supplier, Pipe.SinkChannel)} does. Opening waits for a reader.
     */
    <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWritePipe(
            Supplier<? extends P> factory, Path fifo);
}
