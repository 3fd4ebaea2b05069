package io.protoloop.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.protoloop.Connection;
import io.protoloop.DatagramOptions;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.DatagramTransport;
import org.HdrHistogram.Histogram;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP echo, protoloop against plain Netty in one run: the same engine, one server loop thread each,
 * and the same client (blocking {@link DatagramSocket}s, one per client thread, request/response:
 * send a datagram, wait for its echo, checking every byte). Prints datagrams/s, p50/p99 round trip
 * and the ratio protoloop/Netty; a lost datagram (no echo within 200 ms) is counted, not retried.
 *
 * <p>{@code java -cp benchmarks/target/protoloop-benchmarks.jar io.protoloop.benchmarks.UdpEchoBenchmark}
 * with {@code -Dengine=nio|epoll -Dsizes=64,1024 -Dclients=1,4 -Dwarmup=2 -Dmeasure=3 -Drounds=2}.
 */
public final class UdpEchoBenchmark {

    private UdpEchoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean epoll = System.getProperty("engine", Epoll.isAvailable() ? "epoll" : "nio").equals("epoll");
        int[] sizes = ints(System.getProperty("sizes", "64,1024"));
        int[] clients = ints(System.getProperty("clients", "1,4"));
        double warmup = Double.parseDouble(System.getProperty("warmup", "2"));
        double measure = Double.parseDouble(System.getProperty("measure", "3"));
        int rounds = Integer.parseInt(System.getProperty("rounds", "2"));

        EventLoop loop = EventLoop.create(LoopOptions.builder().threads(1)
                .transport(epoll ? LoopTransport.EPOLL : LoopTransport.NIO).build());
        Connection<DatagramTransport, DatagramProtocol> protoloop = loop.<DatagramProtocol>createDatagramEndpoint(() -> new DatagramProtocol() {
            private DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport transport) {
                this.transport = transport;
            }

            @Override
            public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
                transport.sendto(data, addr);
            }
        }, new InetSocketAddress("127.0.0.1", 0), null, DatagramOptions.DEFAULT).get(10, TimeUnit.SECONDS);
        InetSocketAddress protoloopAddress = protoloop.transport().getExtraInfo("sockname");

        try (NettyUdpEchoServer netty = new NettyUdpEchoServer(epoll)) {
            System.out.printf(Locale.ROOT, "UDP echo, engine %s, 1 server thread each, %d round(s) of %.1f s%n",
                    epoll ? "epoll" : "nio", rounds, measure);
            compare(protoloopAddress, netty.address(), sizes, clients, warmup, measure, rounds)
                    .forEach(System.out::println);
        } finally {
            protoloop.transport().close();
            loop.close();
        }
    }

    /** The plain Netty UDP echo server: each datagram back to its sender, flushed on read complete. */
    static final class NettyUdpEchoServer implements AutoCloseable {
        private final MultiThreadIoEventLoopGroup group;
        private final Channel channel;

        NettyUdpEchoServer(boolean epoll) throws InterruptedException {
            group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            channel = new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 1024))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            DatagramPacket packet = (DatagramPacket) msg;
                            ctx.write(new DatagramPacket(packet.content(), packet.sender()));
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            ctx.flush();
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        @Override
        public void close() throws InterruptedException {
            channel.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Every size and client count against both servers with the same client, alternating which goes
     * first; returns the table (header included), a lost datagram counted in its row.
     */
    static List<String> compare(InetSocketAddress protoloop, InetSocketAddress netty, int[] sizes, int[] clients,
                                double warmup, double measure, int rounds) throws Exception {
        List<String> table = new ArrayList<>();
        table.add("| size | clients | server | datagrams/s | p50 (us) | p99 (us) | lost | ratio |");
        table.add("|---:|---:|---|---:|---:|---:|---:|---:|");
        for (int size : sizes) {
            for (int n : clients) {
                Result p = new Result();
                Result q = new Result();
                for (int round = 0; round < rounds; round++) {
                    boolean protoloopFirst = round % 2 == 0;
                    run(protoloopFirst ? protoloop : netty, size, n, warmup, measure, protoloopFirst ? p : q);
                    run(protoloopFirst ? netty : protoloop, size, n, warmup, measure, protoloopFirst ? q : p);
                }
                table.add(row(size, n, "protoloop", p, String.format(Locale.ROOT, "%.2f", p.rate() / q.rate())));
                table.add(row(size, n, "netty", q, ""));
            }
        }
        return table;
    }

    private static String row(int size, int clients, String server, Result r, String ratio) {
        return String.format(Locale.ROOT, "| %d | %d | %s | %,.0f | %.1f | %.1f | %d | %s |", size, clients, server,
                r.rate(), r.histogram.getValueAtPercentile(50) / 1000.0,
                r.histogram.getValueAtPercentile(99) / 1000.0, r.lost.get(), ratio);
    }

    /** Aggregated over rounds. */
    private static final class Result {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        final AtomicLong completed = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        double seconds;

        double rate() {
            return completed.get() / seconds;
        }
    }

    private static void run(InetSocketAddress server, int size, int clients, double warmup, double measure,
                            Result result) throws Exception {
        long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
        long measureEnd = warmupEnd + (long) (measure * 1e9);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
                    socket.setSoTimeout(200);
                    byte[] out = new byte[size];
                    byte[] in = new byte[size + 1];
                    java.net.DatagramPacket reply = new java.net.DatagramPacket(in, in.length);
                    long seq = 0;
                    while (true) {
                        long now = System.nanoTime();
                        if (now >= measureEnd) {
                            return;
                        }
                        ByteBuffer.wrap(out).putLong(0, ((long) id << 48) | seq++);
                        socket.send(new java.net.DatagramPacket(out, size, server));
                        try {
                            do {
                                socket.receive(reply);
                            } while (reply.getLength() != size || ByteBuffer.wrap(in).getLong(0) != ByteBuffer.wrap(out).getLong(0));
                        } catch (SocketTimeoutException e) {
                            if (now >= warmupEnd) {
                                result.lost.incrementAndGet();
                            }
                            continue;
                        }
                        long end = System.nanoTime();
                        if (now >= warmupEnd && end < measureEnd) {
                            result.completed.incrementAndGet();
                            synchronized (result.histogram) {
                                result.histogram.recordValue(Math.min(end - now, TimeUnit.SECONDS.toNanos(1)));
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

    static int[] ints(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }
}
