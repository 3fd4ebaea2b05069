package io.protoloop.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;
import org.HdrHistogram.Histogram;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TLS echo, protoloop against plain Netty in one run with the same TLS provider: both servers build
 * their {@code SslHandler} from the same JDK {@link SSLContext} (the JDK provider), on the same engine
 * with one loop thread each. The client is the same for both: N threads with blocking
 * {@link SSLSocket}s, request/response, every echoed byte checked. Prints messages/s, p50/p99 and the
 * ratio protoloop/Netty.
 *
 * <p>{@code java -cp benchmarks/target/protoloop-benchmarks.jar io.protoloop.benchmarks.TlsEchoBenchmark}
 * with {@code -Dengine=nio|epoll -Dsizes=64,16384 -Dclients=1,4 -Dwarmup=2 -Dmeasure=3 -Drounds=2}.
 */
public final class TlsEchoBenchmark {

    private TlsEchoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean epoll = System.getProperty("engine", Epoll.isAvailable() ? "epoll" : "nio").equals("epoll");
        int[] sizes = ints(System.getProperty("sizes", "64,16384"));
        int[] clients = ints(System.getProperty("clients", "1,4"));
        double warmup = Double.parseDouble(System.getProperty("warmup", "2"));
        double measure = Double.parseDouble(System.getProperty("measure", "3"));
        int rounds = Integer.parseInt(System.getProperty("rounds", "2"));

        Instant now = Instant.now();
        X509Bundle ca = new CertificateBuilder().subject("CN=bench CA").setIsCertificateAuthority(true).ecp256()
                .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).buildSelfSigned();
        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1").ecp256()
                .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS)).buildIssuedBy(ca);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(cert.toKeyManagerFactory().getKeyManagers(), null, null);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);

        EventLoop loop = EventLoop.create(LoopOptions.builder().threads(1)
                .transport(epoll ? LoopTransport.EPOLL : LoopTransport.NIO).build());
        Server protoloop = loop.createServer(() -> new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport transport) {
                this.transport = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        }, "127.0.0.1", 0, ServerOptions.builder().ssl(serverContext).build()).get(10, TimeUnit.SECONDS);
        InetSocketAddress protoloopAddress = (InetSocketAddress) protoloop.sockets().get(0);

        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Channel netty = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SSLEngine engine = serverContext.createSSLEngine();
                        engine.setUseClientMode(false);
                        ch.pipeline().addLast(new SslHandler(engine), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.write(msg);
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        InetSocketAddress nettyAddress = (InetSocketAddress) netty.localAddress();

        System.out.printf(Locale.ROOT, "TLS echo (%s), engine %s, 1 server thread each, %d round(s) of %.1f s%n",
                clientContext.getProvider().getName(), epoll ? "epoll" : "nio", rounds, measure);
        System.out.println("| size | clients | server | msg/s | p50 (us) | p99 (us) | ratio |");
        System.out.println("|---:|---:|---|---:|---:|---:|---:|");
        for (int size : sizes) {
            for (int n : clients) {
                Result p = new Result();
                Result q = new Result();
                for (int round = 0; round < rounds; round++) {
                    boolean protoloopFirst = round % 2 == 0;
                    run(clientContext, protoloopFirst ? protoloopAddress : nettyAddress, size, n, warmup, measure,
                            protoloopFirst ? p : q);
                    run(clientContext, protoloopFirst ? nettyAddress : protoloopAddress, size, n, warmup, measure,
                            protoloopFirst ? q : p);
                }
                print(size, n, "protoloop", p, String.format(Locale.ROOT, "%.2f", p.rate() / q.rate()));
                print(size, n, "netty", q, "");
            }
        }
        protoloop.close();
        netty.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        loop.close();
    }

    private static void print(int size, int clients, String server, Result r, String ratio) {
        System.out.printf(Locale.ROOT, "| %d | %d | %s | %,.0f | %.1f | %.1f | %s |%n", size, clients, server, r.rate(),
                r.histogram.getValueAtPercentile(50) / 1000.0, r.histogram.getValueAtPercentile(99) / 1000.0, ratio);
    }

    /** Aggregated over rounds. */
    private static final class Result {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final AtomicLong completed = new AtomicLong();
        double seconds;

        double rate() {
            return completed.get() / seconds;
        }
    }

    private static void run(SSLContext context, InetSocketAddress server, int size, int clients, double warmup,
                            double measure, Result result) throws Exception {
        long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
        long measureEnd = warmupEnd + (long) (measure * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(server.getAddress(),
                        server.getPort())) {
                    socket.setTcpNoDelay(true);
                    socket.startHandshake();
                    OutputStream out = socket.getOutputStream();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    byte[] message = new byte[size];
                    byte[] echo = new byte[size];
                    long seq = 0;
                    while (true) {
                        long start = System.nanoTime();
                        if (start >= measureEnd) {
                            return;
                        }
                        Arrays.fill(message, (byte) (id + seq++));
                        out.write(message);
                        out.flush();
                        in.readFully(echo);
                        if (!Arrays.equals(message, echo)) {
                            throw new IllegalStateException("wrong echo from " + server);
                        }
                        long end = System.nanoTime();
                        if (start >= warmupEnd && end < measureEnd) {
                            result.completed.incrementAndGet();
                            synchronized (result.histogram) {
                                result.histogram.recordValue(Math.min(end - start, TimeUnit.SECONDS.toNanos(10)));
                            }
                        }
                    }
                } catch (Exception e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("client failed", errors.get(0));
        }
        result.seconds += measure;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }
}
