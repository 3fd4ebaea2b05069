package io.protoloop.internal.loop;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.protoloop.ConnectionOptions;
import io.protoloop.DatagramOptions;
import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.ExceptionHandler;
import io.protoloop.Handle;
import io.protoloop.LoopStatistics;
import io.protoloop.LoopTransport;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.StartTlsOptions;
import io.protoloop.SubprocessOptions;
import io.protoloop.TimerHandle;
import io.protoloop.dns.AddrInfo;
import io.protoloop.dns.AddrInfoOptions;
import io.protoloop.dns.NameInfo;
import io.protoloop.dns.NameInfoFlag;
import io.protoloop.internal.dns.Resolver;
import io.protoloop.internal.selector.ReadinessSelector;
import io.protoloop.internal.selector.SocketOps;
import io.protoloop.internal.signal.UnixSignals;
import io.protoloop.internal.subprocess.Pipes;
import io.protoloop.internal.subprocess.Subprocesses;
import io.protoloop.internal.transport.Datagrams;
import io.protoloop.internal.transport.Streams;
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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What a member loop and the group facade share. Scheduling goes to {@link #scheduler()}; servers
 * spread their connections over {@link #childGroup()}; connections go to {@link #nextMember()}.
 */
public abstract class AbstractLoop implements EventLoop {

    protected final LoopRuntime runtime;

    AbstractLoop(LoopRuntime runtime) {
        this.runtime = runtime;
    }

    /** The member that runs this loop's scheduled callbacks. */
    public abstract MemberLoop scheduler();

    /** The Netty loops a server created here hands its connections to. */
    public abstract EventLoopGroup childGroup();

    /** The member the next outgoing connection is placed on. */
    public abstract MemberLoop nextMember();

    public LoopRuntime runtime() {
        return runtime;
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    @Override
    public LoopTransport transportType() {
        return runtime.engine().kind();
    }

    @Override
    public boolean isRunning() {
        return !runtime.closed();
    }

    @Override
    public boolean isClosed() {
        return runtime.closed();
    }

    @Override
    public void stop() {
        runtime.stop();
    }

    @Override
    public void close() {
        runtime.close(onAnyLoopThread());
    }

    private boolean onAnyLoopThread() {
        for (EventLoop member : members()) {
            if (((MemberLoop) member).inLoop()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void runForever() {
        requireOffLoop("runForever");
        runtime.awaitStop();
    }

    @Override
    public <T> T runUntilComplete(CompletableFuture<T> future) {
        Objects.requireNonNull(future, "future");
        requireOffLoop("runUntilComplete");
        if (!future.isDone()) {
            requireOpen();
            // asyncio raises "Event loop stopped before Future completed."; here only close() ends the
            // loop, and a caller must not stay blocked on a future the closed loop will never complete.
            CompletableFuture.anyOf(future, runtime.closedFuture()).handle((r, t) -> null).join();
            if (!future.isDone()) {
                throw new IllegalStateException("the event loop was closed before the future completed");
            }
        }
        return future.join();
    }

    private void requireOpen() {
        if (runtime.closed()) {
            throw new IllegalStateException("the event loop is closed");
        }
    }

    private void requireOffLoop(String what) {
        if (onAnyLoopThread()) {
            throw new IllegalStateException(what + "() cannot be called from a loop thread: it would block the loop");
        }
    }

    @Override
    public LoopStatistics statistics() {
        long pending = 0;
        for (EventLoop member : members()) {
            if (((MemberLoop) member).netty() instanceof SingleThreadEventExecutor) {
                pending += ((SingleThreadEventExecutor) ((MemberLoop) member).netty()).pendingTasks();
            }
        }
        return new LoopStatistics(members().size(), pending, runtime.slowCallbacks(), runtime.resourceCount());
    }

    @Override
    public boolean getDebug() {
        return runtime.debug();
    }

    @Override
    public void setDebug(boolean enabled) {
        runtime.debug(enabled);
    }

    @Override
    public Duration getSlowCallbackDuration() {
        return runtime.slowCallbackDuration();
    }

    @Override
    public void setSlowCallbackDuration(Duration duration) {
        runtime.slowCallbackDuration(Objects.requireNonNull(duration, "duration"));
    }

    // ---- scheduling -----------------------------------------------------------------------------

    @Override
    public Handle callSoon(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        requireOpen();
        LoopHandle handle = new LoopHandle(runtime, callback);
        try {
            scheduler().netty().execute(handle);
        } catch (RejectedExecutionException e) {
            throw closedError(e);
        }
        return handle;
    }

    @Override
    public Handle callSoonThreadsafe(Runnable callback) {
        return callSoon(callback);
    }

    @Override
    public TimerHandle callLater(double delay, Runnable callback) {
        if (Double.isNaN(delay)) {
            throw new IllegalArgumentException("delay must be a number, was NaN");
        }
        return callAt(time() + delay, callback);
    }

    @Override
    public TimerHandle callLater(Duration delay, Runnable callback) {
        Objects.requireNonNull(delay, "delay");
        // Not toNanos(): it overflows (ArithmeticException) for delays over ~292 years.
        return callLater(delay.getSeconds() + delay.getNano() / 1e9, callback);
    }

    @Override
    public TimerHandle callAt(double when, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        if (Double.isNaN(when)) {
            throw new IllegalArgumentException("when must be a number, was NaN");
        }
        requireOpen();
        MemberLoop member = scheduler();
        LoopTimerHandle handle = new LoopTimerHandle(runtime, member, callback, when);
        member.addTimer(handle);
        // Rounded up, so the Netty timer never fires before the loop time reaches `when`.
        double delaySeconds = when - time();
        long delayNanos = delaySeconds <= 0 ? 0L : (long) Math.ceil(delaySeconds * 1e9);
        try {
            handle.scheduled(member.netty().schedule(() -> member.runDueTimers(handle), delayNanos,
                    TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            member.removeTimer(handle);
            throw closedError(e);
        }
        return handle;
    }

    @Override
    public double time() {
        return runtime.time();
    }

    @Override
    public <T> CompletableFuture<T> createFuture() {
        return new LoopFuture<>(scheduler().netty());
    }

    @Override
    public <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> work) {
        Objects.requireNonNull(work, "work");
        requireOpen();
        Executor target = executor != null ? executor : runtime.defaultExecutor();
        CompletableFuture<T> result = createFuture();
        target.execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Override
    public void setDefaultExecutor(Executor executor) {
        runtime.defaultExecutor(Objects.requireNonNull(executor, "executor"));
    }

    private static IllegalStateException closedError(RejectedExecutionException cause) {
        return new IllegalStateException("the event loop is closed", cause);
    }

    // ---- error handling -------------------------------------------------------------------------

    @Override
    public void setExceptionHandler(ExceptionHandler handler) {
        runtime.exceptionHandler(handler);
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        return runtime.exceptionHandler();
    }

    @Override
    public void callExceptionHandler(Map<String, Object> context) {
        runtime.callExceptionHandler(Objects.requireNonNull(context, "context"));
    }

    @Override
    public void defaultExceptionHandler(Map<String, Object> context) {
        runtime.defaultExceptionHandler(Objects.requireNonNull(context, "context"));
    }

    // ---- streams --------------------------------------------------------------------------------

    @Override
    public <P extends BaseProtocol<Transport>> CompletableFuture<Server> createServer(
            Supplier<? extends P> factory, List<String> hosts, int port, ServerOptions options) {
        return Streams.createTcpServer(this, factory, hosts, port, options);
    }

    @Override
    public <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createConnection(
            Supplier<? extends P> factory, String host, int port, ConnectionOptions options) {
        return Streams.createTcpConnection(this, factory, host, port, options);
    }

    @Override
    public <P extends BaseProtocol<Transport>> CompletableFuture<Server> createUnixServer(
            Supplier<? extends P> factory, String path, ServerOptions options) {
        return Streams.createUnixServer(this, factory, path, options);
    }

    @Override
    public <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            Supplier<? extends P> factory, String path, ConnectionOptions options) {
        return Streams.createUnixConnection(this, factory, path, options);
    }

    @Override
    public <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> connectAcceptedSocket(
            Supplier<? extends P> factory, SocketChannel channel, ConnectionOptions options) {
        return Streams.connectAcceptedSocket(this, factory, channel, options);
    }

    @Override
    public <P extends DatagramProtocol> CompletableFuture<Connection<DatagramTransport, P>> createDatagramEndpoint(
            Supplier<? extends P> factory, InetSocketAddress localAddr, InetSocketAddress remoteAddr,
            DatagramOptions options) {
        return Datagrams.create(this, factory, localAddr, remoteAddr, options);
    }

    @Override
    public CompletableFuture<Transport> startTls(Transport transport, BaseProtocol<Transport> protocol,
                                                 SSLContext sslContext, StartTlsOptions options) {
        return Streams.startTls(transport, protocol, sslContext, options);
    }

    @Override
    public CompletableFuture<Long> sendfile(Transport transport, FileChannel file, long offset, Long count) {
        return Streams.sendfile(transport, file, offset, count);
    }

    // ---- pipes and subprocesses -----------------------------------------------------------------

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessExec(
            Supplier<? extends P> factory, List<String> argv, SubprocessOptions options) {
        return Subprocesses.exec(this, factory, argv, options);
    }

    @Override
    public <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> subprocessShell(
            Supplier<? extends P> factory, String command, SubprocessOptions options) {
        return Subprocesses.shell(this, factory, command, options);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectReadPipe(
            Supplier<? extends P> factory, Pipe.SourceChannel pipe) {
        return Pipes.connectRead(this, factory, pipe);
    }

    @Override
    public <P extends Protocol> CompletableFuture<Connection<ReadTransport, P>> connectReadPipe(
            Supplier<? extends P> factory, Path fifo) {
        return Pipes.connectRead(this, factory, fifo);
    }

    @Override
    public <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWritePipe(
            Supplier<? extends P> factory, Pipe.SinkChannel pipe) {
        return Pipes.connectWrite(this, factory, pipe);
    }

    @Override
    public <P extends BaseProtocol<WriteTransport>> CompletableFuture<Connection<WriteTransport, P>> connectWritePipe(
            Supplier<? extends P> factory, Path fifo) {
        return Pipes.connectWrite(this, factory, fifo);
    }

    // ---- DNS, sockets, watches, signals (io.protoloop.internal.dns / selector / signal) ----------

    @Override
    public CompletableFuture<List<AddrInfo>> getaddrinfo(String host, int port, AddrInfoOptions options) {
        return Resolver.getaddrinfo(this, host, port, options);
    }

    @Override
    public CompletableFuture<List<AddrInfo>> getaddrinfo(String host, String port, AddrInfoOptions options) {
        return Resolver.getaddrinfo(this, host, port, options);
    }

    @Override
    public CompletableFuture<NameInfo> getnameinfo(InetSocketAddress sockaddr, Set<NameInfoFlag> flags) {
        return Resolver.getnameinfo(this, sockaddr, flags);
    }

    @Override
    public <C extends SelectableChannel & ReadableByteChannel> CompletableFuture<ByteBuffer> sockRecv(
            C channel, int nbytes) {
        requireOpen();
        return SocketOps.recv(this, channel, nbytes);
    }

    @Override
    public <C extends SelectableChannel & ReadableByteChannel> CompletableFuture<Integer> sockRecvInto(
            C channel, ByteBuffer buffer) {
        requireOpen();
        return SocketOps.recvInto(this, channel, buffer);
    }

    @Override
    public CompletableFuture<ReceivedDatagram> sockRecvfrom(DatagramChannel channel, int bufsize) {
        requireOpen();
        return SocketOps.recvfrom(this, channel, bufsize);
    }

    @Override
    public CompletableFuture<ReceivedInto> sockRecvfromInto(DatagramChannel channel, ByteBuffer buffer) {
        requireOpen();
        return SocketOps.recvfromInto(this, channel, buffer);
    }

    @Override
    public <C extends SelectableChannel & WritableByteChannel> CompletableFuture<Void> sockSendall(
            C channel, ByteBuffer data) {
        requireOpen();
        return SocketOps.sendall(this, channel, data);
    }

    @Override
    public CompletableFuture<Integer> sockSendto(DatagramChannel channel, ByteBuffer data, SocketAddress address) {
        requireOpen();
        return SocketOps.sendto(this, channel, data, address);
    }

    @Override
    public CompletableFuture<Void> sockConnect(SocketChannel channel, SocketAddress address) {
        requireOpen();
        return SocketOps.connect(this, channel, address);
    }

    @Override
    public CompletableFuture<Void> sockConnect(DatagramChannel channel, SocketAddress address) {
        requireOpen();
        return SocketOps.connect(this, channel, address);
    }

    @Override
    public CompletableFuture<Accepted> sockAccept(ServerSocketChannel channel) {
        requireOpen();
        return SocketOps.accept(this, channel);
    }

    @Override
    public CompletableFuture<Long> sockSendfile(SocketChannel channel, FileChannel file, long offset, Long count) {
        requireOpen();
        return SocketOps.sendfile(this, channel, file, offset, count);
    }

    @Override
    public void addReader(SelectableChannel channel, Runnable callback) {
        requireOpen();
        ReadinessSelector.of(this).addWatcher(scheduler(), channel, true, callback);
    }

    @Override
    public boolean removeReader(SelectableChannel channel) {
        ReadinessSelector selector = ReadinessSelector.existing(this);
        return selector != null && selector.removeWatcher(channel, true);
    }

    @Override
    public void addWriter(SelectableChannel channel, Runnable callback) {
        requireOpen();
        ReadinessSelector.of(this).addWatcher(scheduler(), channel, false, callback);
    }

    @Override
    public boolean removeWriter(SelectableChannel channel) {
        ReadinessSelector selector = ReadinessSelector.existing(this);
        return selector != null && selector.removeWatcher(channel, false);
    }

    @Override
    public void addSignalHandler(int signal, Runnable callback) {
        requireOpen();
        UnixSignals.add(scheduler(), signal, callback);
    }

    @Override
    public boolean removeSignalHandler(int signal) {
        return UnixSignals.remove(scheduler(), signal);
    }
}

