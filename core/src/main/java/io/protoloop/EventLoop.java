package io.protoloop;

import io.protoloop.dns.AddrInfo;
import io.protoloop.dns.AddrInfoFlag;
import io.protoloop.dns.AddrInfoOptions;
import io.protoloop.dns.NameInfo;
import io.protoloop.dns.NameInfoFlag;
import io.protoloop.internal.loop.LoopGroup;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.ReadTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.Transport;
import io.protoloop.sock.Accepted;
import io.protoloop.sock.ReceivedDatagram;
import io.protoloop.sock.ReceivedInto;
import io.protoloop.transport.WriteTransport;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    // ---- DNS (asyncio's getaddrinfo / getnameinfo) ----------------------------------------------

    /** {@link #getaddrinfo(String, int, AddrInfoOptions)} with Python's defaults (every family and type). */
    default CompletableFuture<List<AddrInfo>> getaddrinfo(String host, int port) {
        return getaddrinfo(host, port, AddrInfoOptions.DEFAULT);
    }

    /**
     * Resolves {@code host} and {@code port}, asyncio's {@code loop.getaddrinfo()}: Python's
     * {@code socket.getaddrinfo} results in its order, one {@link AddrInfo} per address and socket
     * type (stream, datagram and raw when no type is asked for, as glibc lists them).
     *
     * <p>A {@code null} host means the loopback addresses, or with {@link AddrInfoFlag#PASSIVE} the
     * wildcard ones. Names are resolved by the JDK resolver on the default executor, never on a loop
     * thread, so {@code /etc/hosts}, {@code nsswitch.conf} and the system DNS settings apply as they
     * do for Python; IP literals resolve without a lookup. The future completes on the loop. See
     * {@link io.protoloop.dns} for the flags and what differs from glibc (address order, JDK caching,
     * the canonical name).
     *
     * <p>An unknown host fails the future with a {@link java.net.UnknownHostException} naming the host
     * (Python's {@code gaierror}); so does a host with no address of the requested family.
     *
     * @throws IllegalArgumentException (at once) for a port outside 0..65535 or inconsistent options
     */
    CompletableFuture<List<AddrInfo>> getaddrinfo(String host, int port, AddrInfoOptions options);

    /**
     * {@link #getaddrinfo(String, int, AddrInfoOptions)} with the port as Python's {@code str} form:
     * a number or a service name from {@code /etc/services} ({@code "http"}); {@code null} is port 0.
     * An unknown service fails the future with a {@link java.net.UnknownServiceException}.
     *
     * @throws IllegalArgumentException (at once) for a service name with {@link AddrInfoFlag#NUMERICSERV}
     */
    CompletableFuture<List<AddrInfo>> getaddrinfo(String host, String port, AddrInfoOptions options);

    /** {@link #getnameinfo(InetSocketAddress, Set)} without flags: a host name and a service name. */
    default CompletableFuture<NameInfo> getnameinfo(InetSocketAddress sockaddr) {
        return getnameinfo(sockaddr, Set.of());
    }

    /**
     * The host and service names of {@code sockaddr}, asyncio's {@code loop.getnameinfo()}: a reverse
     * lookup by the JDK resolver on the default executor (the numeric address when there is no name),
     * and the service from {@code /etc/services} (the port number when there is none). With
     * {@link NameInfoFlag#NUMERICHOST} and {@link NameInfoFlag#NUMERICSERV} nothing is looked up;
     * IPv6 addresses are written as Python writes them ({@code ::1}). The future completes on the loop;
     * {@link NameInfoFlag#NAMEREQD} without a name fails it with a {@link java.net.UnknownHostException}.
     *
     * @throws IllegalArgumentException (at once) when {@code sockaddr} is unresolved and not an IP literal
     *                                  (Python's takes numeric addresses only)
     */
    CompletableFuture<NameInfo> getnameinfo(InetSocketAddress sockaddr, Set<NameInfoFlag> flags);

    // ---- socket operations (asyncio's sock_* methods) -------------------------------------------

    /**
     * Receives up to {@code nbytes} bytes, asyncio's {@code loop.sock_recv()}: a new buffer the caller
     * owns, positioned at 0; empty at EOF. Works on a {@link SocketChannel}, a
     * {@link Pipe.SourceChannel} or a connected {@link DatagramChannel}. What every {@code sock}
     * method shares (non-blocking channels, try first then wait on the selector thread, completion
     * on the loop, cancellation, call order): see {@link io.protoloop.sock}.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel or a negative {@code nbytes}
     */
    <C extends SelectableChannel & ReadableByteChannel> CompletableFuture<ByteBuffer> sockRecv(C channel, int nbytes);

    /**
     * Receives into {@code buffer} (from its position to its limit, advancing the position), asyncio's
     * {@code loop.sock_recv_into()}: the number of bytes, 0 at EOF. The buffer is filled on the loop
     * thread: leave it alone until the future completes.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel or a read-only buffer
     */
    <C extends SelectableChannel & ReadableByteChannel> CompletableFuture<Integer> sockRecvInto(C channel,
                                                                                                 ByteBuffer buffer);

    /**
     * Receives one datagram of up to {@code bufsize} bytes (the rest of a longer one is discarded),
     * asyncio's {@code loop.sock_recvfrom()}.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel or a negative {@code bufsize}
     */
    CompletableFuture<ReceivedDatagram> sockRecvfrom(DatagramChannel channel, int bufsize);

    /**
     * Receives one datagram into {@code buffer}, asyncio's {@code loop.sock_recvfrom_into()}; the buffer's
     * remaining space plays {@code nbytes}. Leave the buffer alone until the future completes.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel or a read-only buffer
     */
    CompletableFuture<ReceivedInto> sockRecvfromInto(DatagramChannel channel, ByteBuffer buffer);

    /**
     * Sends every remaining byte of {@code data}, asyncio's {@code loop.sock_sendall()}; completes
     * when the kernel took the last one. The bytes are copied before this returns ({@code data} is
     * consumed: its position moves to its limit), so the caller may reuse the buffer.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel
     */
    <C extends SelectableChannel & WritableByteChannel> CompletableFuture<Void> sockSendall(C channel, ByteBuffer data);

    /** {@link #sockSendall(SelectableChannel, ByteBuffer)} of {@code data}. */
    default <C extends SelectableChannel & WritableByteChannel> CompletableFuture<Void> sockSendall(C channel,
                                                                                                    byte[] data) {
        return sockSendall(channel, ByteBuffer.wrap(data));
    }

    /**
     * Sends {@code data} as one datagram to {@code address}, asyncio's {@code loop.sock_sendto()}; the
     * number of bytes sent. The bytes are copied before this returns.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel or an unresolved address
     */
    CompletableFuture<Integer> sockSendto(DatagramChannel channel, ByteBuffer data, SocketAddress address);

    /** {@link #sockSendto(DatagramChannel, ByteBuffer, SocketAddress)} of {@code data}. */
    default CompletableFuture<Integer> sockSendto(DatagramChannel channel, byte[] data, SocketAddress address) {
        return sockSendto(channel, ByteBuffer.wrap(data), address);
    }

    /**
     * Connects {@code channel} to {@code address}, asyncio's {@code loop.sock_connect()}. An
     * unresolved {@link InetSocketAddress} is resolved first ({@link #getaddrinfo}, first stream
     * address, as asyncio does). A refused connection fails the future with a
     * {@link java.net.ConnectException} naming the address.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel
     */
    CompletableFuture<Void> sockConnect(SocketChannel channel, SocketAddress address);

    /**
     * Connects a datagram channel (sets its default peer; there is nothing to wait for), asyncio's
     * {@code loop.sock_connect()} on a UDP socket. An unresolved address is resolved first.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel
     */
    CompletableFuture<Void> sockConnect(DatagramChannel channel, SocketAddress address);

    /**
     * Accepts a connection, asyncio's {@code loop.sock_accept()}: the new channel, already
     * non-blocking, and its peer address. The caller owns the channel.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel
     */
    CompletableFuture<Accepted> sockAccept(ServerSocketChannel channel);

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} ({@code null}: to the end of the
     * file) over {@code channel}, asyncio's {@code loop.sock_sendfile()}: {@link FileChannel#transferTo}
     * (the kernel's zero-copy {@code sendfile(2)} where it can, the JDK's own copy where it cannot, so
     * asyncio's {@code fallback} argument has nothing to choose) each time the socket is writable. The
     * future completes with the bytes sent; the file's position ends at {@code offset + sent}, also
     * after a failure or cancellation.
     *
     * @throws IllegalArgumentException (at once) for a blocking channel, a negative offset or count
     */
    CompletableFuture<Long> sockSendfile(SocketChannel channel, FileChannel file, long offset, Long count);

    // ---- watching channels (asyncio's add_reader / add_writer) ----------------------------------

    /**
     * Calls {@code callback} on the loop whenever {@code channel} is readable (for a
     * {@link ServerSocketChannel}: has a connection to accept), asyncio's {@code loop.add_reader()}.
     * Readiness is level-triggered as in asyncio: the callback keeps being called while data is
     * waiting, each call after the previous one returned. One callback per channel and direction:
     * adding another replaces it. An exception from the callback goes to the exception handler and
     * the watch stays. The group's selector thread does the waiting (see the sock methods). Closing
     * the loop drops every watch.
     *
     * <p>The channel must stay registered with that selector while watched, so it cannot be switched
     * to blocking mode; the registration goes a moment after {@link #removeReader} (the selector
     * thread's next wake-up). Closing a channel that is still watched works, but the callback then
     * stays registered (never called) until removed, as in asyncio.
     *
     * @throws IllegalArgumentException for a closed or blocking channel, or one that cannot be read
     *                                  (a {@link Pipe.SinkChannel})
     * @throws IllegalStateException    when the loop is closed, or a sock operation is receiving on the
     *                                  channel
     */
    void addReader(SelectableChannel channel, Runnable callback);

    /**
     * Stops watching {@code channel} for reading, asyncio's {@code loop.remove_reader()}; a call already
     * on its way to the loop does not happen.
     *
     * @return whether a reader was registered (false after the loop closed, as asyncio)
     */
    boolean removeReader(SelectableChannel channel);

    /**
     * Calls {@code callback} on the loop whenever {@code channel} is writable (for a connecting
     * {@link SocketChannel}: when the connection completes or fails), asyncio's {@code loop.add_writer()};
     * otherwise as {@link #addReader}.
     *
     * @throws IllegalArgumentException for a closed or blocking channel, or one that cannot be written
     *                                  (a {@link Pipe.SourceChannel}, a {@link ServerSocketChannel})
     * @throws IllegalStateException    when the loop is closed, or a sock operation is sending on the channel
     */
    void addWriter(SelectableChannel channel, Runnable callback);

    /**
     * Stops watching {@code channel} for writing, asyncio's {@code loop.remove_writer()}.
     *
     * @return whether a writer was registered
     */
    boolean removeWriter(SelectableChannel channel);

    // ---- Unix signals (asyncio's add_signal_handler) --------------------------------------------

    /**
     * Calls {@code callback} on the loop (through {@link #callSoon}) each time the process receives
     * {@code signal}, asyncio's {@code loop.add_signal_handler()}. Signal numbers are the platform's
     * (Linux: 1 SIGHUP, 2 SIGINT, 10 SIGUSR1, 14 SIGALRM, 15 SIGTERM, 17 SIGCHLD, 28 SIGWINCH, ...).
     * One callback per signal and member loop (the group object registers for its first member):
     * adding another replaces it. Several loops may handle one signal; each gets its callback. For
     * SIGINT, SIGTERM and SIGHUP this replaces the JVM's handler, which would start the shutdown
     * hooks; {@link #removeSignalHandler} (or closing the loop) puts the previous handler back.
     *
     * @throws IllegalArgumentException for a number that is not a signal, and for the signals the JVM
     *                                  keeps (SIGKILL and SIGSTOP cannot be caught; SIGQUIT prints thread
     *                                  dumps; SIGILL, SIGFPE, SIGSEGV, SIGBUS serve the JVM internally;
     *                                  HotSpot suspends threads with SIGUSR2; SIGPIPE and SIGXFSZ are
     *                                  kept from killing the process), with the reason in the message;
     *                                  also for SIGINT/SIGTERM/SIGHUP when the process started with
     *                                  them ignored, or under {@code -Xrs}
     * @throws IllegalStateException    when the loop is closed
     */
    void addSignalHandler(int signal, Runnable callback);

    /**
     * Removes this loop's handler for {@code signal}, asyncio's {@code loop.remove_signal_handler()};
     * when no loop handles it any more the JVM's previous handler is restored.
     *
     * @return whether a handler was registered
     * @throws IllegalArgumentException for a number that is not a signal
     */
    boolean removeSignalHandler(int signal);
}

