package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.ConnectionOptions;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.testsupport.RecordingProtocol;
import io.protoloop.testsupport.Sockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Servers, connections and Unix sockets: asyncio's {@code Server} lifecycle, address handling and
 * the errors bad input gets. Run on every engine.
 */
abstract class AbstractServerAndConnectionTest extends LoopTestBase {

    @TempDir
    Path dir;

    // ---- server lifecycle -----------------------------------------------------------------------

    @Test
    void socketsListsTheRealBoundPortAndServersSpreadConnectionsOverTheMembers() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        assertThat(Sockets.port(address)).isPositive();
        Socket[] clients = new Socket[4];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = Sockets.connect(address);
        }
        await(() -> accepted.size() == 4 && accepted.stream().allMatch(p -> p.made.isDone()), "four connections");
        assertThat(accepted.stream().map(p -> p.transport.loop()).distinct()).hasSize(2);
        for (Socket c : clients) {
            c.close();
        }
    }

    @Test
    void closeStopsAcceptingAndWaitClosedWaitsForEveryConnection() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = serve(() -> {
            RecordingProtocol p = new RecordingProtocol();
            accepted.add(p);
            return p;
        });
        SocketAddress address = server.sockets().get(0);
        try (Socket client = Sockets.connect(address)) {
            awaitFirst(accepted);
            assertThat(server.isServing()).isTrue();
            server.close();
            server.close();
            assertThat(server.isServing()).isFalse();
            assertThat(server.sockets()).isEmpty();
            // NIO: the JDK closes a listening socket registered with a selector at the next select.
            await(() -> refuses(address), "the listening socket to close");
            CompletableFuture<Void> closed = server.waitClosed();
            Thread.sleep(100);
            assertThat(closed).as("a connection is still open").isNotDone();
            client.getOutputStream().write(7);
            await(() -> accepted.get(0).receivedCount() == 1, "the old connection still works");
            server.closeClients();
            closed.get(10, TimeUnit.SECONDS);
            assertThat(accepted.get(0).awaitLost()).isNull();
        }
    }

    private static boolean refuses(SocketAddress address) {
        try (Socket ignored = Sockets.connect(address)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void abortClientsDropsEveryConnection() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = serve(() -> {
            RecordingProtocol p = new RecordingProtocol();
            accepted.add(p);
            return p;
        });
        try (Socket a = Sockets.connect(server.sockets().get(0)); Socket b = Sockets.connect(server.sockets().get(0))) {
            await(() -> accepted.size() == 2 && accepted.stream().allMatch(p -> p.made.isDone()), "two connections");
            server.close();
            server.abortClients();
            server.waitClosed().get(10, TimeUnit.SECONDS);
            assertThat(a.getInputStream().read()).isEqualTo(-1);
            assertThat(b.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aServerCreatedWithoutStartServingAcceptsOnlyAfterStartServing() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = serve(() -> {
            RecordingProtocol p = new RecordingProtocol();
            accepted.add(p);
            return p;
        }, ServerOptions.builder().startServing(false).build());
        assertThat(server.isServing()).isFalse();
        try (Socket client = Sockets.connect(server.sockets().get(0))) {
            Thread.sleep(200);
            assertThat(accepted).isEmpty();
            CompletableFuture<Void> forever = server.serveForever();
            assertThat(server.isServing()).isTrue();
            awaitFirst(accepted);
            assertThat(forever).isNotDone();
            server.close();
            forever.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void serverOptionsReachTheSockets() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = serve(() -> {
            RecordingProtocol p = new RecordingProtocol();
            accepted.add(p);
            return p;
        }, ServerOptions.builder().keepAlive(true).backlog(10).writeBufferLimits(1000, null).build());
        try (Socket ignored = Sockets.connect(server.sockets().get(0))) {
            Transport t = awaitFirst(accepted).transport;
            SocketView socket = t.getExtraInfo("socket");
            assertThat(socket.getOption(java.net.StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(t.getWriteBufferLimits()).isEqualTo(new WriteBufferLimits(250, 1000));
        }
    }

    @Test
    void twoServersShareAPortWithReusePort() throws Exception {
        ServerOptions reuse = ServerOptions.builder().reusePort(true).build();
        Server first = serve(RecordingProtocol::new, reuse);
        int port = Sockets.port(first.sockets().get(0));
        Server second = track(loop.createServer(RecordingProtocol::new, "127.0.0.1", port, reuse)
                .get(10, TimeUnit.SECONDS));
        assertThat(Sockets.port(second.sockets().get(0))).isEqualTo(port);
    }

    // ---- bad input ------------------------------------------------------------------------------

    @Test
    void aPortInUseFailsWithABindExceptionNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> loop.createServer(RecordingProtocol::new, "127.0.0.1", port)
                    .get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BindException.class)
                    .cause().hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("in use");
        }
    }

    @Test
    void badArgumentsAreRejectedWithMessagesThatNameThem() {
        assertThatThrownBy(() -> loop.createServer(RecordingProtocol::new, "127.0.0.1", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port").hasMessageContaining("-1");
        assertThatThrownBy(() -> loop.createServer(RecordingProtocol::new, "127.0.0.1", 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        assertThatThrownBy(() -> loop.createServer(null, "127.0.0.1", 0))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("factory");
        assertThatThrownBy(() -> loop.createConnection(RecordingProtocol::new, "127.0.0.1", 70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> loop.createConnection(null, "127.0.0.1", 1))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("factory");
        assertThatThrownBy(() -> ServerOptions.builder().backlog(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        assertThatThrownBy(() -> loop.createUnixServer(RecordingProtocol::new, "", ServerOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path");
    }

    @Test
    void aRefusedConnectionFailsWithConnectException() throws Exception {
        // Bound but never listening: connects are refused, and no other process can take the port meanwhile.
        try (java.net.Socket closed = new java.net.Socket()) {
            closed.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = closed.getLocalPort();
            assertThatThrownBy(() -> loop.createConnection(RecordingProtocol::new, "127.0.0.1", port)
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aHostNameIsResolvedAndReached() throws Exception {
        // "localhost" may resolve to ::1 and 127.0.0.1; a server on one of them must still be reached.
        // ConnectInOrderTest pins the fall-through from a refused address to the next.
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        Connection<Transport, RecordingProtocol> c = loop.createConnection(RecordingProtocol::new, "localhost",
                Sockets.port(address)).get(10, TimeUnit.SECONDS);
        assertThat(c.transport().<InetSocketAddress>getExtraInfo("peername").getAddress().isLoopbackAddress()).isTrue();
        c.transport().close();
        assertThat(c.protocol().awaitLost()).isNull();
    }

    @Test
    void aServerListensOnEveryHostItIsGiven() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = track(loop.createServer(() -> {
            EchoProtocol p = new EchoProtocol();
            accepted.add(p);
            return p;
        }, List.of("127.0.0.1", "127.0.0.2"), 0, ServerOptions.DEFAULT).get(10, TimeUnit.SECONDS));
        assertThat(server.sockets()).extracting(a -> ((InetSocketAddress) a).getAddress().getHostAddress())
                .containsExactly("127.0.0.1", "127.0.0.2");
        for (SocketAddress address : server.sockets()) {
            try (java.net.Socket client = new java.net.Socket()) {
                client.connect(address, 10_000);
                client.setSoTimeout(10_000);
                client.getOutputStream().write('x');
                assertThat(client.getInputStream().read()).isEqualTo('x');
            }
        }
        assertThat(accepted).hasSize(2);
    }

    @Test
    void anUnknownHostFailsTheFutureWithItsName() {
        assertThatThrownBy(() -> loop.createConnection(RecordingProtocol::new, "no-such-host.invalid", 80)
                .get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(java.net.UnknownHostException.class)
                .hasMessageContaining("no-such-host.invalid");
    }

    @Test
    void localAddrIsBoundBeforeConnecting() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        int localPort;
        try (ServerSocket s = new ServerSocket(0)) {
            localPort = s.getLocalPort();
        }
        Connection<Transport, RecordingProtocol> c = loop.createConnection(RecordingProtocol::new, "127.0.0.1",
                Sockets.port(address), ConnectionOptions.builder()
                        .localAddr(new InetSocketAddress("127.0.0.1", localPort)).build()).get(10, TimeUnit.SECONDS);
        assertThat(Sockets.port(c.transport().getExtraInfo("sockname"))).isEqualTo(localPort);
        c.transport().close();
    }

    // ---- Unix sockets ---------------------------------------------------------------------------

    @Test
    void unixServerAndConnectionEchoAndTheSocketFileIsRemovedOnClose() throws Exception {
        Path path = dir.resolve("echo.sock");
        Server server = track(loop.createUnixServer(EchoProtocol::new, path.toString(), ServerOptions.DEFAULT)
                .get(10, TimeUnit.SECONDS));
        assertThat(server.sockets()).containsExactly(UnixDomainSocketAddress.of(path));
        assertThat(Files.exists(path)).isTrue();
        RecordingProtocol client = new RecordingProtocol();
        Connection<Transport, RecordingProtocol> c = loop.createUnixConnection(() -> client, path.toString(),
                ConnectionOptions.DEFAULT).get(10, TimeUnit.SECONDS);
        assertThat(c.transport().<SocketAddress>getExtraInfo("peername")).isEqualTo(UnixDomainSocketAddress.of(path));
        byte[] payload = Sockets.randomBytes(200_000, 17);
        c.transport().write(payload);
        c.transport().writeEof();
        assertThat(client.awaitLost()).isNull();
        assertThat(client.received()).isEqualTo(payload);
        server.close();
        server.waitClosed().get(10, TimeUnit.SECONDS);
        assertThat(Files.exists(path)).isFalse();
    }

    @Test
    void aStaleSocketFileIsReplacedButARegularFileIsNot() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(Files.exists(stale)).isTrue();
        Server server = track(loop.createUnixServer(EchoProtocol::new, stale.toString(), ServerOptions.DEFAULT)
                .get(10, TimeUnit.SECONDS));
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(stale))) {
            ch.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(1);
            ch.read(reply);
            assertThat(reply.array()).isEqualTo("x".getBytes(StandardCharsets.US_ASCII));
        }
        server.close();

        Path regular = Files.writeString(dir.resolve("regular.sock"), "data");
        assertThatThrownBy(() -> loop.createUnixServer(EchoProtocol::new, regular.toString(), ServerOptions.DEFAULT)
                .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(BindException.class)
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(regular)).isEqualTo("data");
    }

    @Test
    void connectAcceptedSocketTakesAUnixSocketChannelToo() throws Exception {
        Path path = dir.resolve("accepted.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                SocketChannel accepted = listener.accept();
                CompletableFuture<Connection<Transport, EchoProtocol>> f = loop.connectAcceptedSocket(
                        EchoProtocol::new, accepted, ConnectionOptions.DEFAULT);
                Connection<Transport, EchoProtocol> c;
                try {
                    c = f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // An engine that cannot adopt a Unix channel must say so clearly.
                    assertThat(e.getCause()).hasMessageContaining("connectAcceptedSocket");
                    return;
                }
                client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                ByteBuffer reply = ByteBuffer.allocate(3);
                while (reply.hasRemaining()) {
                    client.read(reply);
                }
                assertThat(reply.array()).containsExactly(1, 2, 3);
                c.transport().close();
            }
        }
    }

    @Test
    void closingTheLoopAbortsOpenTransportsAndServers() throws Exception {
        Path path = dir.resolve("loop-close.sock");
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        loop.createUnixServer(EchoProtocol::new, path.toString(), ServerOptions.DEFAULT).get(10, TimeUnit.SECONDS);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            loop.close();
            assertThat(server.awaitLost()).isNull();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(Files.exists(path)).isFalse();
            assertThat(loop.isClosed()).isTrue();
        }
    }

    // ---- monitoring -----------------------------------------------------------------------------

    @Test
    void serverStatisticsCountConnectionsAndBytesIncludingClosedOnes() throws Exception {
        Server server = serve(EchoProtocol::new);
        byte[] payload = Sockets.randomBytes(100_000, 51);
        for (int i = 0; i < 2; i++) {
            try (Socket client = Sockets.connect(server.sockets().get(0))) {
                client.getOutputStream().write(payload);
                Sockets.readExactly(client.getInputStream(), payload.length);
                if (i == 1) {
                    // The first connection's close reaches the server asynchronously.
                    await(() -> server.statistics().connectionsActive() == 1, "the first connection to go");
                    Transport t = server.transports().get(0);
                    // The client can read the echo a moment before the loop counts the write as done.
                    await(() -> ((TransportStatistics) t).snapshot().bytesSent() == payload.length, "the count");
                    TransportSnapshot snapshot = ((TransportStatistics) t).snapshot();
                    assertThat(snapshot.kind()).isEqualTo("tcp");
                    assertThat(snapshot.bytesReceived()).isEqualTo(payload.length);
                    assertThat(snapshot.bytesSent()).isEqualTo(payload.length);
                    assertThat(snapshot.peername()).isEqualTo(client.getLocalSocketAddress());
                    assertThat(snapshot.writeBufferLimits()).isEqualTo(WriteBufferLimits.DEFAULT);
                    assertThat(snapshot.id()).isPositive();
                    assertThat(snapshot.openedAt()).isBeforeOrEqualTo(java.time.Instant.now());
                }
            }
        }
        await(() -> server.statistics().connectionsActive() == 0, "both connections to close");
        io.protoloop.ServerStatistics stats = server.statistics();
        assertThat(stats.connectionsTotal()).isEqualTo(2);
        assertThat(stats.bytesReceived()).isEqualTo(2L * payload.length);
        assertThat(stats.bytesSent()).isEqualTo(2L * payload.length);
        assertThat(stats.handshakeFailures()).isZero();
        assertThat(loop.statistics().members()).isEqualTo(2);
        assertThat(loop.statistics().pendingTasks()).isNotNegative();
    }
}
