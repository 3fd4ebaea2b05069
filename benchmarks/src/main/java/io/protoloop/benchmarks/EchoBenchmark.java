package io.protoloop.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import io.protoloop.Server;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Side-by-side TCP echo load benchmark: a protoloop echo server and a plain Netty echo server, on the
 * same engine and the same number of loop threads, in one JVM, driven by one Netty load client.
 *
 * <p>Each client connection sends a message of {@code size} bytes, waits until all of them came back
 * (checking every byte), records the round-trip latency and sends the next one. Every case
 * (size x connections) runs a warm-up and a measured phase per server; the server that goes first
 * alternates from case to case (and from round to round).
 *
 * <p>System properties (all optional):
 * <ul>
 *     <li>{@code engine}: {@code epoll} (default where available), {@code nio} or {@code io_uring}</li>
 *     <li>{@code threads}: loop threads of each server (default 1)</li>
 *     <li>{@code clientThreads}: loop threads of the load client (default 1)</li>
 *     <li>{@code sizes}: message sizes in bytes (default {@code 64,1024,16384})</li>
 *     <li>{@code connections}: connection counts (default {@code 1,50})</li>
 *     <li>{@code warmup}, {@code measure}: seconds per phase and run (default 2 and 3)</li>
 *     <li>{@code rounds}: runs per case and server, alternating which server goes first, aggregated
 *     (default 2)</li>
 *     <li>{@code initialWarmup}: seconds per server, size and connection count of a JIT warm-up
 *     before the first case (default 0.5; 0 turns it off)</li>
 *     <li>{@code servers}: {@code both} (default), {@code protoloop} or {@code netty}</li>
 * </ul>
 */
public final class EchoBenchmark {

    private static final String PROTOLOOP = "protoloop";
    private static final String NETTY = "netty";
    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private EchoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromSystemProperties();
        Engine engine = config.engine();
        engine.ensureAvailable();

        System.out.printf(Locale.ROOT, "# protoloop vs Netty TCP echo, request/response%n");
        System.out.printf(Locale.ROOT, "engine=%s serverThreads=%d clientThreads=%d warmup=%.1fs measure=%.1fs rounds=%d"
                        + " sizes=%s connections=%s%n",
                engine.label, config.threads(), config.clientThreads(), config.warmupSeconds(), config.measureSeconds(),
                config.rounds(), Arrays.toString(config.sizes()), Arrays.toString(config.connections()));
        System.out.printf(Locale.ROOT, "java=%s (%s) availableProcessors=%d%n%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());

        List<String> rows;
        List<String> problems = new ArrayList<>();
        try (ProtoloopEchoServer protoloop = config.runs(PROTOLOOP) ? new ProtoloopEchoServer(engine, config.threads()) : null;
             NettyEchoServer netty = config.runs(NETTY) ? new NettyEchoServer(engine, config.threads()) : null;
             LoadClient client = new LoadClient(engine, config.clientThreads())) {
            if (protoloop != null) {
                System.out.printf("protoloop echo server on %s (loop: %s)%n", protoloop.address(), protoloop.loop);
            }
            if (netty != null) {
                System.out.printf("netty echo server on %s%n", netty.address());
            }
            System.out.println();
            rows = compare(config, client, protoloop == null ? null : protoloop.address(),
                    netty == null ? null : netty.address(), problems);
        }
        printTable(config, rows);
        if (!problems.isEmpty()) {
            printProblems(problems);
            System.exit(2);
        }
    }

    /**
     * Runs every case of {@code config} against both servers with the same client (either address may
     * be null to run one server only), printing each run; returns the table rows and adds what went
     * wrong to {@code problems}.
     */
    static List<String> compare(Config config, LoadClient client, InetSocketAddress protoloop,
                                InetSocketAddress netty, List<String> problems) throws InterruptedException {
        List<String> rows = new ArrayList<>();
        if (config.initialWarmupSeconds() > 0) {
            // Warm the JIT on every code path (client and both servers) before any case is measured,
            // so that whichever server runs first is not penalised.
            System.out.printf(Locale.ROOT, "initial warm-up: %.1f s per server, size and connection count%n",
                    config.initialWarmupSeconds());
            for (int size : config.sizes()) {
                for (int connections : config.connections()) {
                    for (InetSocketAddress address : new InetSocketAddress[] {protoloop, netty}) {
                        if (address != null) {
                            RunResult result = client.run(address, size, connections, config.initialWarmupSeconds(), 0);
                            if (!result.problems.isEmpty()) {
                                problems.add(String.format(Locale.ROOT, "initial warm-up size=%d conns=%d %s: %s",
                                        size, connections, address, result.problems));
                            }
                        }
                    }
                }
            }
            settle();
            System.out.println();
        }

        int caseIndex = 0;
        for (int size : config.sizes()) {
            for (int connections : config.connections()) {
                Aggregate protoloopResult = new Aggregate();
                Aggregate nettyResult = new Aggregate();
                for (int round = 0; round < config.rounds(); round++) {
                    boolean protoloopFirst = (caseIndex + round) % 2 == 0;
                    for (int i = 0; i < 2; i++) {
                        boolean runProtoloop = (i == 0) == protoloopFirst;
                        InetSocketAddress address = runProtoloop ? protoloop : netty;
                        if (address == null) {
                            continue;
                        }
                        Aggregate into = runProtoloop ? protoloopResult : nettyResult;
                        String name = runProtoloop ? PROTOLOOP : NETTY;
                        RunResult result = client.run(address, size, connections, config.warmupSeconds(),
                                config.measureSeconds());
                        into.add(result);
                        System.out.printf(Locale.ROOT, "  size=%-6d conns=%-3d %-9s %,12.0f msg/s  p50=%8.1f us"
                                        + "  p99=%8.1f us%s%n",
                                size, connections, name, result.messagesPerSecond(),
                                result.histogram.getValueAtPercentile(50) / 1000.0,
                                result.histogram.getValueAtPercentile(99) / 1000.0,
                                result.problems.isEmpty() ? "" : "  PROBLEMS: " + result.problems);
                        for (String p : result.problems) {
                            problems.add(String.format(Locale.ROOT, "size=%d conns=%d %s: %s", size, connections,
                                    name, p));
                        }
                        settle();
                    }
                }
                if (protoloop != null) {
                    rows.add(protoloopResult.row(size, connections, PROTOLOOP, netty == null ? null : nettyResult));
                }
                if (netty != null) {
                    rows.add(nettyResult.row(size, connections, NETTY, null));
                }
                caseIndex++;
            }
        }
        return rows;
    }

    static void printTable(Config config, List<String> rows) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Results (engine=%s, %d server loop thread(s), %d client thread(s), %.1f s measured"
                        + " per run, %d round(s)); ratio = protoloop msg/s / Netty msg/s%n%n",
                config.engine().label, config.threads(), config.clientThreads(), config.measureSeconds(),
                config.rounds());
        System.out.println("|  size | conns | server    |      msg/s | p50 (us) | p99 (us) | ratio |");
        System.out.println("|------:|------:|-----------|-----------:|---------:|---------:|------:|");
        rows.forEach(System.out::println);
    }

    static void printProblems(List<String> problems) {
        System.out.println();
        System.out.println("PROBLEMS:");
        problems.forEach(p -> System.out.println("  " + p));
    }

    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
    }

    // ---- configuration ----------------------------------------------------------------------------

    record Config(Engine engine, int threads, int clientThreads, int[] sizes, int[] connections, double warmupSeconds,
                  double measureSeconds, int rounds, String servers, double initialWarmupSeconds) {

        static Config fromSystemProperties() {
            String servers = System.getProperty("servers", "both").toLowerCase(Locale.ROOT);
            if (!servers.equals("both") && !servers.equals(PROTOLOOP) && !servers.equals(NETTY)) {
                throw new IllegalArgumentException("servers must be both, protoloop or netty, was " + servers);
            }
            return new Config(
                    Engine.parse(System.getProperty("engine", "auto")),
                    positive("threads", Integer.getInteger("threads", 1)),
                    positive("clientThreads", Integer.getInteger("clientThreads", 1)),
                    ints("sizes", System.getProperty("sizes", "64,1024,16384")),
                    ints("connections", System.getProperty("connections", "1,50")),
                    Double.parseDouble(System.getProperty("warmup", "2")),
                    Double.parseDouble(System.getProperty("measure", "3")),
                    positive("rounds", Integer.getInteger("rounds", 2)),
                    servers,
                    Double.parseDouble(System.getProperty("initialWarmup", "0.5")));
        }

        boolean runs(String server) {
            return servers.equals("both") || servers.equals(server);
        }

        private static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, was " + value);
            }
            return value;
        }

        private static int[] ints(String name, String list) {
            return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(s -> positive(name, Integer.parseInt(s))).toArray();
        }
    }

    /** The I/O engine, for both servers and the client. */
    enum Engine {
        NIO("nio", LoopTransport.NIO),
        EPOLL("epoll", LoopTransport.EPOLL),
        IO_URING("io_uring", LoopTransport.IO_URING);

        final String label;
        final LoopTransport loopTransport;

        Engine(String label, LoopTransport loopTransport) {
            this.label = label;
            this.loopTransport = loopTransport;
        }

        static Engine parse(String name) {
            switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "auto":
                    return Epoll.isAvailable() ? EPOLL : NIO;
                case "nio":
                    return NIO;
                case "epoll":
                    return EPOLL;
                case "io_uring":
                case "iouring":
                    return IO_URING;
                default:
                    throw new IllegalArgumentException("engine must be nio, epoll or io_uring, was " + name);
            }
        }

        void ensureAvailable() {
            if (this == EPOLL) {
                Epoll.ensureAvailability();
            } else if (this == IO_URING) {
                IoUring.ensureAvailability();
            }
        }

        IoHandlerFactory ioHandlerFactory() {
            switch (this) {
                case EPOLL:
                    return EpollIoHandler.newFactory();
                case IO_URING:
                    return IoUringIoHandler.newFactory();
                default:
                    return NioIoHandler.newFactory();
            }
        }

        Class<? extends ServerChannel> serverChannel() {
            switch (this) {
                case EPOLL:
                    return EpollServerSocketChannel.class;
                case IO_URING:
                    return IoUringServerSocketChannel.class;
                default:
                    return NioServerSocketChannel.class;
            }
        }

        Class<? extends Channel> channel() {
            switch (this) {
                case EPOLL:
                    return EpollSocketChannel.class;
                case IO_URING:
                    return IoUringSocketChannel.class;
                default:
                    return NioSocketChannel.class;
            }
        }
    }

    // ---- the servers ------------------------------------------------------------------------------

    /** The protoloop echo server: writes the received view straight back (the zero-copy path). */
    static final class ProtoloopEchoServer implements AutoCloseable {
        final EventLoop loop;
        final Server server;

        ProtoloopEchoServer(Engine engine, int threads) throws Exception {
            loop = EventLoop.create(LoopOptions.builder().threads(threads).transport(engine.loopTransport)
                    .threadNamePrefix("protoloop-server").build());
            try {
                server = loop.createServer(EchoProtocol::new, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                loop.close();
                throw e;
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.sockets().get(0);
        }

        /**
         * Every client connection is closed by now, so the server's connections should all be gone:
         * {@code waitClosed()} must complete promptly after {@code close()}. Reported when it does not.
         */
        @Override
        public void close() {
            server.close();
            try {
                server.waitClosed().get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.out.println("PROBLEM: protoloop server.waitClosed() did not complete within 3 s of close()"
                        + " although every client connection was closed: " + e);
                server.abortClients();
            }
            loop.close();
        }
    }

    /** Echoes every byte, in order. */
    static final class EchoProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    /** The plain Netty echo server: writes the received ByteBuf back, flushes on read complete. */
    static final class NettyEchoServer implements AutoCloseable {
        final EventLoopGroup group;
        final Channel channel;

        NettyEchoServer(Engine engine, int threads) throws InterruptedException {
            group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("netty-server"),
                    engine.ioHandlerFactory());
            try {
                channel = new ServerBootstrap()
                        .group(group)
                        .channel(engine.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 100)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(NettyEchoHandler.INSTANCE)
                        .bind("127.0.0.1", 0).sync().channel();
            } catch (InterruptedException | RuntimeException e) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw e;
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ChannelHandler.Sharable
    static final class NettyEchoHandler extends ChannelInboundHandlerAdapter {
        static final NettyEchoHandler INSTANCE = new NettyEchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    // ---- the load client --------------------------------------------------------------------------

    /** One Netty client, the same for both servers. */
    static final class LoadClient implements AutoCloseable {
        final Engine engine;
        final EventLoopGroup group;

        LoadClient(Engine engine, int threads) {
            this.engine = engine;
            this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load-client"),
                    engine.ioHandlerFactory());
        }

        RunResult run(InetSocketAddress address, int size, int connections, double warmupSeconds,
                      double measureSeconds) throws InterruptedException {
            RunState state = new RunState(size);
            List<ClientHandler> handlers = new ArrayList<>();
            List<Channel> channels = new ArrayList<>();
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(engine.channel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
            try {
                for (int i = 0; i < connections; i++) {
                    ClientHandler handler = new ClientHandler(state, i);
                    ChannelFuture connect = bootstrap.clone().handler(handler).connect(address);
                    if (!connect.await(10, TimeUnit.SECONDS) || !connect.isSuccess()) {
                        state.problem("connection " + i + " failed: " + connect.cause());
                        return state.result(new Histogram(3), 1, handlers, System.nanoTime());
                    }
                    handlers.add(handler);
                    channels.add(connect.channel());
                }
                for (ClientHandler handler : handlers) {
                    handler.ctx.executor().execute(handler::sendNext);
                }
                sleepSeconds(warmupSeconds);
                state.recorder.reset();
                state.measuring = true;
                long start = System.nanoTime();
                sleepSeconds(measureSeconds);
                Histogram histogram = state.recorder.getIntervalHistogram();
                long end = System.nanoTime();
                state.measuring = false;
                return state.result(histogram, end - start, handlers, end);
            } finally {
                state.running = false;
                for (Channel channel : channels) {
                    channel.close();
                }
                for (Channel channel : channels) {
                    if (!channel.closeFuture().await(5, TimeUnit.SECONDS)) {
                        System.err.println("client channel did not close within 5 s: " + channel);
                    }
                }
                for (ClientHandler handler : handlers) {
                    handler.releasePayload();
                }
            }
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }

        private static void sleepSeconds(double seconds) throws InterruptedException {
            Thread.sleep(Math.max(0, Math.round(seconds * 1000)));
        }
    }

    /** Shared by the connections of one run. */
    static final class RunState {
        final int size;
        final Recorder recorder = new Recorder(HIGHEST_LATENCY_NANOS, 3);
        final Queue<String> problems = new ConcurrentLinkedQueue<>();
        volatile boolean running = true;
        volatile boolean measuring;

        RunState(int size) {
            this.size = size;
        }

        void problem(String message) {
            if (problems.size() < 20) {
                problems.add(message);
            }
        }

        RunResult result(Histogram histogram, long elapsedNanos, List<ClientHandler> handlers, long now) {
            // A connection with no completed message in the last second is stalled: report where it stands.
            long stallNanos = TimeUnit.SECONDS.toNanos(1);
            for (ClientHandler handler : handlers) {
                long idle = now - handler.lastProgressNanos;
                if (idle > stallNanos && handler.active) {
                    problem(String.format(Locale.ROOT,
                            "connection %d stalled: %d of %d bytes of message #%d echoed, nothing for %.1f s",
                            handler.index, handler.received, size, handler.sequence, idle / 1e9));
                }
            }
            return new RunResult(histogram, elapsedNanos, List.copyOf(problems));
        }
    }

    /** One client connection: send, wait for every byte back (checking it), record, repeat. */
    static final class ClientHandler extends ChannelInboundHandlerAdapter {
        final RunState state;
        final int index;
        final int size;
        ByteBuf payload;
        ChannelHandlerContext ctx;
        int received;
        long sentAt;
        long sequence;
        volatile long lastProgressNanos = System.nanoTime();
        volatile boolean active;

        ClientHandler(RunState state, int index) {
            this.state = state;
            this.index = index;
            this.size = state.size;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            payload = ctx.alloc().directBuffer(size, size);
            for (int i = 0; i < size; i++) {
                payload.writeByte((i * 31 + index * 7 + 1) & 0xff);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
            ctx.fireChannelActive();
        }

        void sendNext() {
            if (!state.running || !ctx.channel().isActive()) {
                return;
            }
            if (size >= Long.BYTES) {
                payload.setLong(0, sequence);     // every message differs from the previous one
            }
            received = 0;
            sentAt = System.nanoTime();
            ctx.writeAndFlush(payload.retainedDuplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                int n = in.readableBytes();
                if (received + n > size) {
                    state.problem(String.format(Locale.ROOT, "connection %d: %d bytes back for a %d-byte message #%d",
                            index, received + n, size, sequence));
                    ctx.close();
                    return;
                }
                if (!ByteBufUtil.equals(in, in.readerIndex(), payload, received, n)) {
                    int at = 0;
                    while (at < n && in.getByte(in.readerIndex() + at) == payload.getByte(received + at)) {
                        at++;
                    }
                    state.problem(String.format(Locale.ROOT,
                            "connection %d: wrong byte at offset %d of message #%d (got %d, expected %d)",
                            index, received + at, sequence, in.getByte(in.readerIndex() + at),
                            payload.getByte(received + at)));
                    ctx.close();
                    return;
                }
                received += n;
                if (received == size) {
                    long now = System.nanoTime();
                    lastProgressNanos = now;
                    if (state.measuring) {
                        state.recorder.recordValue(Math.min(now - sentAt, HIGHEST_LATENCY_NANOS));
                    }
                    sequence++;
                    sendNext();
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            active = false;
            if (state.running) {
                state.problem(String.format(Locale.ROOT,
                        "connection %d closed by the server during the run (%d of %d bytes of message #%d echoed)",
                        index, received, size, sequence));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (state.running) {
                state.problem("connection " + index + ": " + cause);
            }
            ctx.close();
        }

        void releasePayload() {
            ctx.executor().execute(() -> {
                if (payload != null && payload.refCnt() > 0) {
                    payload.release();
                }
            });
        }
    }

    record RunResult(Histogram histogram, long elapsedNanos, List<String> problems) {
        double messagesPerSecond() {
            return histogram.getTotalCount() / (elapsedNanos / 1e9);
        }
    }

    /** Several rounds of one case and one server. */
    static final class Aggregate {
        final Histogram histogram = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        long elapsedNanos;
        boolean problems;

        void add(RunResult result) {
            histogram.add(result.histogram);
            elapsedNanos += result.elapsedNanos;
            problems |= !result.problems.isEmpty();
        }

        double messagesPerSecond() {
            return elapsedNanos == 0 ? 0 : histogram.getTotalCount() / (elapsedNanos / 1e9);
        }

        String row(int size, int connections, String server, Aggregate baseline) {
            String ratio = baseline == null || baseline.messagesPerSecond() == 0 ? ""
                    : String.format(Locale.ROOT, "%.2f", messagesPerSecond() / baseline.messagesPerSecond());
            return String.format(Locale.ROOT, "| %5d | %5d | %-9s | %,10.0f | %8.1f | %8.1f | %5s |%s",
                    size, connections, server, messagesPerSecond(),
                    histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                    ratio, problems ? " (problems, see below)" : "");
        }
    }
}
