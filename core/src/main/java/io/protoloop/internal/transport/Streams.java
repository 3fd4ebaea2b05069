package io.protoloop.internal.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.protoloop.Connection;
import io.protoloop.ConnectionOptions;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.StartTlsOptions;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.loop.Engine;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.transport.Transport;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Creates stream servers and connections: validation, name resolution off the loop, Netty bootstrap
 * with asyncio's socket defaults (TCP_NODELAY, half-closure allowed, reading off until
 * {@code connectionMade} ran).
 */
public final class Streams {

    private Streams() {
    }

    // ---- servers --------------------------------------------------------------------------------

    public static CompletableFuture<Server> createTcpServer(AbstractLoop loop,
            Supplier<? extends BaseProtocol<Transport>> factory, List<String> hosts, int port, ServerOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        requirePort(port);
        Objects.requireNonNull(options, "options");
        return resolve(loop, hosts, port).thenCompose(addresses -> bindAll(loop, factory, addresses, options, null));
    }

    public static CompletableFuture<Server> createUnixServer(AbstractLoop loop,
            Supplier<? extends BaseProtocol<Transport>> factory, String path, ServerOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        UnixDomainSocketAddress address = unixAddress(path);
        Objects.requireNonNull(options, "options");
        try {
            UnixSockets.prepareBind(address.getPath());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return bindAll(loop, factory, List.of(address), options, address.getPath());
    }

    private static CompletableFuture<Server> bindAll(AbstractLoop loop,
            Supplier<? extends BaseProtocol<Transport>> factory, List<SocketAddress> addresses, ServerOptions options,
            Path unixPath) {
        Engine engine = loop.runtime().engine();
        StreamServer server = new StreamServer(loop, unixPath);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop.scheduler().netty(), loop.childGroup())
                .channelFactory(unixPath == null ? engine.serverSocket()::get : engine.serverDomainSocket()::get)
                .option(ChannelOption.SO_BACKLOG, options.backlog())
                .option(ChannelOption.AUTO_READ, options.startServing())
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        MemberLoop member = loop.runtime().member(ch.eventLoop());
                        TlsLayer tls = options.ssl() == null ? null : TlsHandlers.server(options.ssl(),
                                options.clientAuth(), options.sslHandshakeTimeout(), options.sslShutdownTimeout());
                        if (tls != null) {
                            ch.pipeline().addLast(tls.handler());
                        }
                        ch.pipeline().addLast(new StreamTransport(member, ch, factory, options.writeBufferLimits(),
                                server, tls));
                    }
                });
        if (unixPath == null) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, options.reuseAddress())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, options.keepAlive());
            if (options.reusePort()) {
                bootstrap.option(engine.reusePortOption(), true);
            }
        }
        CompletableFuture<Server> result = new CompletableFuture<>();
        bindNext(bootstrap, server, addresses.iterator(), options, result, engine);
        return result;
    }

    /** Binds one address after the other; the first failure closes what was bound and fails. */
    private static void bindNext(ServerBootstrap bootstrap, StreamServer server, Iterator<SocketAddress> addresses,
                                 ServerOptions options, CompletableFuture<Server> result, Engine engine) {
        if (!addresses.hasNext()) {
            server.serving(options.startServing());
            result.complete(server);
            return;
        }
        SocketAddress address = addresses.next();
        SocketAddress engineAddress = address instanceof UnixDomainSocketAddress
                ? engine.unixAddress((UnixDomainSocketAddress) address) : address;
        bootstrap.bind(engineAddress).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                SocketAddress bound = Addresses.toJdk(f.channel().localAddress());
                server.bound(f.channel(), bound == null ? address : bound);
                bindNext(bootstrap, server, addresses, options, result, engine);
            } else {
                server.close();
                result.completeExceptionally(bindError(address, f.cause()));
            }
        });
    }

    /** asyncio's message: "error while attempting to bind on address (host, port): reason". */
    static BindException bindError(SocketAddress address, Throwable cause) {
        String reason = cause.getMessage();
        if (reason != null && reason.startsWith("bind(..) failed: ")) {
            reason = reason.substring("bind(..) failed: ".length());
        }
        BindException e = new BindException("error while attempting to bind on address " + describe(address) + ": "
                + reason + (reason != null && reason.contains("in use")
                ? " (another process listens there: stop it or choose another port)" : ""));
        e.initCause(cause);
        return e;
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    // ---- connections ----------------------------------------------------------------------------

    public static <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createTcpConnection(
            AbstractLoop loop, Supplier<? extends P> factory, String host, int port, ConnectionOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(host, "host must not be null");
        requirePort(port);
        Objects.requireNonNull(options, "options");
        String serverHostname = options.serverHostname() != null ? options.serverHostname() : host;
        return resolve(loop, List.of(host), port)
                .thenCompose(addresses -> connectInOrder(loop, factory, addresses, serverHostname, options));
    }

    /** Connects to the first of {@code addresses} that accepts, as asyncio does with what it resolved. */
    static <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> connectInOrder(
            AbstractLoop loop, Supplier<? extends P> factory, List<SocketAddress> addresses, String serverHostname,
            ConnectionOptions options) {
        CompletableFuture<Connection<Transport, P>> result = new CompletableFuture<>();
        connectNext(loop.nextMember(), factory, addresses.iterator(), options, serverHostname, false, result,
                new ArrayList<>());
        return result;
    }

    public static <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> createUnixConnection(
            AbstractLoop loop, Supplier<? extends P> factory, String path, ConnectionOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        UnixDomainSocketAddress address = unixAddress(path);
        Objects.requireNonNull(options, "options");
        if (options.ssl() != null && options.serverHostname() == null) {
            // asyncio: "you must set server_hostname when using ssl without a host".
            throw new IllegalArgumentException("serverHostname must be set when using ssl over a Unix socket "
                    + "(\"\" turns hostname verification off)");
        }
        CompletableFuture<Connection<Transport, P>> result = new CompletableFuture<>();
        connectNext(loop.nextMember(), factory, List.<SocketAddress>of(address).iterator(), options,
                options.serverHostname(), true, result, new ArrayList<>());
        return result;
    }

    /** asyncio tries every resolved address in order and reports them all if none connects. */
    private static <P extends BaseProtocol<Transport>> void connectNext(MemberLoop member,
            Supplier<? extends P> factory, Iterator<SocketAddress> addresses, ConnectionOptions options,
            String serverHostname, boolean unix, CompletableFuture<Connection<Transport, P>> result,
            List<Throwable> errors) {
        if (!addresses.hasNext()) {
            result.completeExceptionally(connectError(errors));
            return;
        }
        SocketAddress remote = addresses.next();
        Engine engine = member.runtime().engine();
        ConnectListener<P> listener = new ConnectListener<>(result);
        Bootstrap bootstrap = new Bootstrap()
                .group(member.netty())
                .channelFactory(unix ? engine.domainSocket()::get : engine.socket()::get)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        TlsLayer tls = options.ssl() == null ? null : TlsHandlers.client(options.ssl(), serverHostname,
                                remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getPort() : -1,
                                options.sslHandshakeTimeout(), options.sslShutdownTimeout());
                        if (tls != null) {
                            ch.pipeline().addLast(tls.handler());
                        }
                        ch.pipeline().addLast(new StreamTransport(member, ch, factory, options.writeBufferLimits(),
                                listener, tls));
                    }
                });
        if (!unix) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        SocketAddress target = unix ? engine.unixAddress((UnixDomainSocketAddress) remote) : remote;
        ChannelFuture connect = options.localAddr() != null && !unix
                ? bootstrap.connect(target, options.localAddr()) : bootstrap.connect(target);
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                errors.add(f.cause());
                connectNext(member, factory, addresses, options, serverHostname, unix, result, errors);
            }
        });
    }

    private static Throwable connectError(List<Throwable> errors) {
        if (errors.size() == 1) {
            return errors.get(0);
        }
        StringBuilder message = new StringBuilder("Multiple exceptions: ");
        boolean allRefused = true;
        for (int i = 0; i < errors.size(); i++) {
            message.append(i == 0 ? "" : ", ").append(errors.get(i).getMessage());
            allRefused &= errors.get(i) instanceof ConnectException;
        }
        IOException e = allRefused ? new ConnectException(message.toString()) : new IOException(message.toString());
        errors.forEach(e::addSuppressed);
        return e;
    }

    /** Completes a connect future once the protocol's {@code connectionMade} ran. */
    private static final class ConnectListener<P> implements StreamListener {
        private final CompletableFuture<Connection<Transport, P>> result;

        ConnectListener(CompletableFuture<Connection<Transport, P>> result) {
            this.result = result;
        }

        @Override
        public void attached(StreamTransport transport) {
        }

        @Override
        @SuppressWarnings("unchecked")
        public void ready(StreamTransport transport, BaseProtocol<Transport> protocol) {
            result.complete(new Connection<>(transport, (P) protocol));
        }

        @Override
        public void failed(StreamTransport transport, Throwable cause) {
            result.completeExceptionally(cause);
        }

        @Override
        public void lost(StreamTransport transport) {
        }
    }

    public static <P extends BaseProtocol<Transport>> CompletableFuture<Connection<Transport, P>> connectAcceptedSocket(
            AbstractLoop loop, Supplier<? extends P> factory, SocketChannel socket, ConnectionOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(socket, "channel must not be null");
        Objects.requireNonNull(options, "options");
        MemberLoop member = loop.nextMember();
        CompletableFuture<Connection<Transport, P>> result = new CompletableFuture<>();
        Channel channel;
        try {
            channel = member.runtime().engine().adopt(socket);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        channel.config().setAutoRead(false);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        // asyncio's connect_accepted_socket(ssl=...) is the server side of TLS.
        TlsLayer tls = options.ssl() == null ? null : TlsHandlers.server(options.ssl(), io.protoloop.ClientAuth.NONE,
                options.sslHandshakeTimeout(), options.sslShutdownTimeout());
        if (tls != null) {
            channel.pipeline().addLast(tls.handler());
        }
        channel.pipeline().addLast(new StreamTransport(member, channel, factory, options.writeBufferLimits(),
                new ConnectListener<>(result), tls));
        member.netty().register(channel).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                channel.unsafe().closeForcibly();
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    // ---- sendfile -------------------------------------------------------------------------------

    public static CompletableFuture<Long> sendfile(Transport transport, FileChannel file, long offset, Long count) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(file, "file");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be a non-negative integer, was " + offset);
        }
        if (count != null && count < 0) {
            throw new IllegalArgumentException("count must be a non-negative integer or null, was " + count);
        }
        if (!(transport instanceof StreamTransport)) {
            throw new IllegalArgumentException("sendfile needs a stream transport created by protoloop, got "
                    + transport.getClass().getName());
        }
        long size;
        try {
            size = file.size();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        long available = Math.max(0, size - offset);
        long toSend = count == null ? available : Math.min(count, available);
        return ((StreamTransport) transport).sendfile(file, offset, toSend);
    }

    // ---- startTls -------------------------------------------------------------------------------

    public static CompletableFuture<Transport> startTls(Transport transport, BaseProtocol<Transport> protocol,
                                                       SSLContext sslContext, StartTlsOptions options) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(options, "options");
        if (!(transport instanceof StreamTransport)) {
            throw new IllegalArgumentException("startTls needs a stream transport created by protoloop, got "
                    + transport.getClass().getName());
        }
        BaseProtocol<Transport> checked = Protocols.requireStream(Objects.requireNonNull(protocol, "protocol"));
        StreamTransport stream = (StreamTransport) transport;
        TlsLayer tls = options.serverSide()
                ? TlsHandlers.server(sslContext, io.protoloop.ClientAuth.NONE, options.handshakeTimeout(),
                        options.shutdownTimeout())
                : TlsHandlers.client(sslContext, options.serverHostname(), peerPort(stream), options.handshakeTimeout(),
                        options.shutdownTimeout());
        return stream.startTls(checked, tls);
    }

    private static int peerPort(StreamTransport transport) {
        Object peer = transport.getExtraInfo("peername");
        return peer instanceof InetSocketAddress ? ((InetSocketAddress) peer).getPort() : -1;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static void requirePort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
    }

    private static UnixDomainSocketAddress unixAddress(String path) {
        Objects.requireNonNull(path, "path must not be null");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("path must not be empty");
        }
        return UnixDomainSocketAddress.of(path);
    }

    /**
     * Resolves host names on the default executor (a DNS lookup blocks), keeping asyncio's order:
     * every address of every host, duplicates removed. {@code null} hosts mean every interface.
     */
    private static CompletableFuture<List<SocketAddress>> resolve(AbstractLoop loop, List<String> hosts, int port) {
        if (hosts == null || hosts.isEmpty()) {
            return CompletableFuture.completedFuture(List.of(new InetSocketAddress(port)));
        }
        if (hosts.stream().allMatch(Streams::isLiteral)) {
            return CompletableFuture.completedFuture(lookup(hosts, port));
        }
        return loop.runInExecutor(null, () -> lookup(hosts, port));
    }

    private static List<SocketAddress> lookup(List<String> hosts, int port) {
        Set<SocketAddress> addresses = new LinkedHashSet<>();
        for (String host : hosts) {
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    addresses.add(new InetSocketAddress(a, port));
                }
            } catch (IOException e) {
                throw new CompletionException(
                        new UnknownHostException("cannot resolve host '" + host + "': " + e.getMessage()));
            }
        }
        return List.copyOf(addresses);
    }

    /** Whether {@code host} is an IP literal, which resolves without a lookup. */
    private static boolean isLiteral(String host) {
        return host != null && (host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
    }
}
