package io.protoloop.transport;

import io.protoloop.ClientAuth;
import io.protoloop.Connection;
import io.protoloop.ConnectionOptions;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.StartTlsOptions;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.testsupport.ProcFs;
import io.protoloop.testsupport.RecordingProtocol;
import io.protoloop.testsupport.Sockets;
import io.protoloop.testsupport.TestPki;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS on stream transports: echo, mutual TLS, startTls, handshake failures, extra info, flow
 * control and buffered receive over TLS. Certificates are generated when the tests run.
 */
abstract class AbstractTlsTransportTest extends LoopTestBase {

    private Server tlsServer(java.util.function.Supplier<? extends RecordingProtocol> factory, ClientAuth auth)
            throws Exception {
        return track(loop.createServer(factory, "127.0.0.1", 0, ServerOptions.builder()
                .ssl(TestPki.get().serverContext()).clientAuth(auth).build()).get(10, TimeUnit.SECONDS));
    }

    /** A TLS server whose connections' protocols, made by {@code factory}, are added to {@code accepted}. */
    private <P extends RecordingProtocol> Server tlsServer(java.util.function.Supplier<P> factory, List<P> accepted,
            ClientAuth auth) throws Exception {
        return tlsServer(() -> {
            P p = factory.get();
            accepted.add(p);
            return p;
        }, auth);
    }

    private <P extends RecordingProtocol> Connection<Transport, P> tlsClient(P protocol, SocketAddress address,
            ConnectionOptions options) throws Exception {
        return loop.createConnection(() -> protocol, "127.0.0.1", Sockets.port(address), options)
                .get(10, TimeUnit.SECONDS);
    }

    private static ConnectionOptions client(SSLContext context) {
        return ConnectionOptions.builder().ssl(context).build();
    }

    @Test
    void echoOverTlsWithTheSslExtraInfo() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(() -> {
            EchoProtocol p = new EchoProtocol();
            accepted.add(p);
            return p;
        }, ClientAuth.NONE);
        SSLContext clientContext = TestPki.get().clientContext();
        RecordingProtocol client = new RecordingProtocol();
        Transport t = tlsClient(client, server.sockets().get(0), client(clientContext)).transport();
        assertThat(client.events).containsExactly("connectionMade");
        byte[] payload = Sockets.randomBytes(500_000, 31);
        t.write(payload);
        await(() -> client.receivedCount() == payload.length, "the echo");
        assertThat(client.received()).isEqualTo(payload);

        assertThat(t.canWriteEof()).isFalse();
        assertThatThrownBy(t::writeEof).isInstanceOf(UnsupportedOperationException.class);
        assertThat(t.<SSLContext>getExtraInfo("sslcontext")).isSameAs(clientContext);
        SSLSession session = t.getExtraInfo("ssl_object");
        assertThat(session.getProtocol()).startsWith("TLS");
        Cipher cipher = t.getExtraInfo("cipher");
        assertThat(cipher.name()).isEqualTo(session.getCipherSuite());
        assertThat(cipher.protocol()).isEqualTo(session.getProtocol());
        assertThat(cipher.secretBits()).isIn(128, 256);
        X509Certificate peer = t.getExtraInfo("peercert");
        assertThat(peer).isEqualTo(TestPki.get().server.getCertificate());
        assertThat(t.<Object>getExtraInfo("compression")).isNull();
        assertThat(accepted.get(0).transport.<X509Certificate>getExtraInfo("peercert")).as("no client certificate")
                .isNull();

        t.close();
        assertThat(client.awaitLost()).isNull();
        assertThat(accepted.get(0).awaitLost()).isNull();
        assertThat(handled).isEmpty();
    }

    @Test
    void mutualTlsAcceptsAClientCertificateAndRejectsAClientWithout() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(() -> {
            EchoProtocol p = new EchoProtocol();
            accepted.add(p);
            return p;
        }, ClientAuth.REQUIRE);
        SocketAddress address = server.sockets().get(0);
        RecordingProtocol withCert = new RecordingProtocol();
        Transport t = tlsClient(withCert, address, client(TestPki.get().clientContextWithCertificate())).transport();
        t.write("hi".getBytes(StandardCharsets.US_ASCII));
        await(() -> withCert.receivedCount() == 2, "the echo");
        assertThat(accepted.get(0).transport.<X509Certificate>getExtraInfo("peercert"))
                .isEqualTo(TestPki.get().client.getCertificate());

        // TLS 1.3 clients learn of a rejected certificate after their handshake "completed": the
        // connection then ends with the server's alert instead of a failed future.
        RecordingProtocol withoutCert = new RecordingProtocol();
        try {
            Transport rejected = tlsClient(withoutCert, address, client(TestPki.get().clientContext())).transport();
            rejected.write("x".getBytes(StandardCharsets.US_ASCII));
            assertThat(withoutCert.awaitLost()).isInstanceOf(SSLException.class);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(SSLException.class);
        }
        assertThat(withoutCert.receivedCount()).isZero();
        assertThat(accepted).hasSize(1);
        assertThat(server.isServing()).isTrue();
        assertThat(handled).isEmpty();
    }

    @Test
    void handshakeFailuresFailTheConnectAndTheServerKeepsServing() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(() -> {
            EchoProtocol p = new EchoProtocol();
            accepted.add(p);
            return p;
        }, ClientAuth.NONE);
        SocketAddress address = server.sockets().get(0);
        int port = Sockets.port(address);

        // A CA the client does not trust.
        assertThatThrownBy(() -> tlsClient(new RecordingProtocol(), address,
                client(TestPki.get().clientContextTrustingOtherCa())))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SSLException.class);
        // A name the certificate does not carry.
        assertThatThrownBy(() -> loop.createConnection(RecordingProtocol::new, "127.0.0.1", port,
                ConnectionOptions.builder().ssl(TestPki.get().clientContext()).serverHostname("wrong.example").build())
                .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SSLException.class)
                .hasMessageContaining("wrong.example");
        // serverHostname "" turns name checking off, as in asyncio.
        RecordingProtocol unchecked = new RecordingProtocol();
        loop.createConnection(() -> unchecked, "127.0.0.1", port, ConnectionOptions.builder()
                .ssl(TestPki.get().clientContext()).serverHostname("").build()).get(10, TimeUnit.SECONDS)
                .transport().close();
        assertThat(unchecked.awaitLost()).isNull();
        // A plaintext client on the TLS port.
        try (Socket plain = Sockets.connect(address)) {
            plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Sockets.readToEof(plain.getInputStream());
        }
        // Still serving.
        RecordingProtocol good = new RecordingProtocol();
        tlsClient(good, address, client(TestPki.get().clientContext())).transport().write(new byte[] {1, 2});
        await(() -> good.receivedCount() == 2, "the echo after the failures");
        assertThat(accepted).as("failed handshakes never reach a protocol").hasSize(2);
        assertThat(handled).as("handshake failures are not bugs: no exception handler").isEmpty();
    }

    /** A line protocol that switches to TLS on "STARTTLS", the way SMTP or IMAP do. */
    static final class StartTlsServer extends RecordingProtocol {
        final CompletableFuture<Transport> upgraded = new CompletableFuture<>();

        @Override
        public void dataReceived(ByteBuffer data) {
            super.dataReceived(data.duplicate());
            String text = StandardCharsets.US_ASCII.decode(data).toString();
            if (text.equals("STARTTLS\n")) {
                transport.write("OK\n".getBytes(StandardCharsets.US_ASCII));
                try {
                    transport.loop().startTls(transport, this, TestPki.get().serverContext(), StartTlsOptions.server())
                            .whenComplete((t, e) -> {
                                if (e != null) {
                                    upgraded.completeExceptionally(e);
                                } else {
                                    this.transport = t;
                                    upgraded.complete(t);
                                }
                            });
                } catch (Exception e) {
                    upgraded.completeExceptionally(e);
                }
            } else if (upgraded.isDone()) {
                transport.write(("tls:" + text).getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void startTlsUpgradesALiveConnectionOnBothSides() throws Exception {
        List<StartTlsServer> accepted = new CopyOnWriteArrayList<>();
        Server server = track(loop.createServer(() -> {
            StartTlsServer p = new StartTlsServer();
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0).get(10, TimeUnit.SECONDS));
        RecordingProtocol client = new RecordingProtocol();
        Transport plain = loop.createConnection(() -> client, "127.0.0.1", Sockets.port(server.sockets().get(0)))
                .get(10, TimeUnit.SECONDS).transport();
        plain.write("STARTTLS\n".getBytes(StandardCharsets.US_ASCII));
        await(() -> client.receivedCount() == 3, "OK");
        Transport secure = loop.startTls(plain, client, TestPki.get().clientContext(),
                StartTlsOptions.client("localhost")).get(10, TimeUnit.SECONDS);
        assertThat(secure).isNotSameAs(plain);
        Transport serverSide = accepted.get(0).upgraded.get(10, TimeUnit.SECONDS);
        assertThat(serverSide.<SSLSession>getExtraInfo("ssl_object")).isNotNull();
        assertThat(secure.<X509Certificate>getExtraInfo("peercert")).isEqualTo(TestPki.get().server.getCertificate());
        secure.write("hello\n".getBytes(StandardCharsets.US_ASCII));
        await(() -> client.receivedCount() == 3 + 10, "the reply over TLS");
        assertThat(new String(client.received(), StandardCharsets.US_ASCII)).isEqualTo("OK\ntls:hello\n");
        assertThat(client.events.stream().filter("connectionMade"::equals)).as("no second connectionMade").hasSize(1);
        // The server sees one connection, now carried by the TLS transport, and the plain bytes are kept.
        assertThat(server.transports()).containsExactly(serverSide);
        assertThat(server.statistics().connectionsTotal()).isEqualTo(1);
        assertThat(server.statistics().connectionsActive()).isEqualTo(1);
        assertThat(server.statistics().bytesReceived()).isGreaterThanOrEqualTo("STARTTLS\nhello\n".length());
        plain.write("raw".getBytes(StandardCharsets.US_ASCII)); // the old transport is inert
        secure.close();
        assertThat(client.awaitLost()).isNull();
        assertThat(accepted.get(0).awaitLost()).isNull();
        server.close();
        server.waitClosed().get(10, TimeUnit.SECONDS);
    }

    @Test
    void flowControlCountsPlaintextAndCloseFlushesOverTls() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(RecordingProtocol::new, accepted, ClientAuth.NONE);
        RecordingProtocol client = new RecordingProtocol();
        Transport t = tlsClient(client, server.sockets().get(0), client(TestPki.get().clientContext())).transport();
        awaitFirst(accepted);
        RecordingProtocol serverSide = accepted.get(0);
        serverSide.transport.pauseReading();
        byte[] payload = Sockets.randomBytes(8 * 1024 * 1024, 41);
        int buffered = onLoop(t, () -> {
            t.write(payload);
            return t.getWriteBufferSize();
        });
        assertThat(buffered).isPositive().isLessThanOrEqualTo(payload.length);
        assertThat(client.events).contains("pauseWriting");
        t.close();
        serverSide.transport.resumeReading();
        assertThat(serverSide.awaitLost()).isNull();
        assertThat(serverSide.received()).isEqualTo(payload);
        assertThat(client.awaitLost()).isNull();
        assertThat(client.collapsedEvents()).containsSubsequence("pauseWriting", "resumeWriting", "connectionLost");
    }

    @Test
    void aBufferedProtocolReceivesPlaintextOverTls() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1000);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        Server server = track(loop.createServer(() -> new BufferedProtocol() {
            @Override
            public ByteBuffer getBuffer(int sizehint) {
                return buffer.clear();
            }

            @Override
            public void bufferUpdated(int nbytes) {
                byte[] b = new byte[nbytes];
                buffer.duplicate().get(b);
                got.write(b, 0, nbytes);
            }

            @Override
            public void connectionLost(Throwable exc) {
                lost.complete(exc);
            }
        }, "127.0.0.1", 0, ServerOptions.builder().ssl(TestPki.get().serverContext()).build())
                .get(10, TimeUnit.SECONDS));
        byte[] payload = Sockets.randomBytes(300_000, 43);
        RecordingProtocol client = new RecordingProtocol();
        Transport t = tlsClient(client, server.sockets().get(0), client(TestPki.get().clientContext())).transport();
        t.write(payload);
        t.close();
        assertThat(lost.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(got.toByteArray()).isEqualTo(payload);
    }

    @Test
    void eofReceivedReturningTrueStillClosesOverTls() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(() -> {
            RecordingProtocol p = new RecordingProtocol();
            p.keepOpenOnEof = true;
            accepted.add(p);
            return p;
        }, ClientAuth.NONE);
        RecordingProtocol client = new RecordingProtocol();
        tlsClient(client, server.sockets().get(0), client(TestPki.get().clientContext())).transport().close();
        RecordingProtocol serverSide = awaitFirst(accepted);
        assertThat(serverSide.awaitLost()).isNull();
        assertThat(serverSide.collapsedEvents()).containsExactly("connectionMade", "eofReceived", "connectionLost");
    }

    @Test
    void sendfileOverTlsFallsBackToCopiesAndStaysIntact() throws Exception {
        Path file = Files.createTempFile("protoloop-tls", ".bin");
        try {
            byte[] content = Sockets.randomBytes(1_000_000, 47);
            Files.write(file, content);
            List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
            Server server = tlsServer(() -> {
                RecordingProtocol p = new RecordingProtocol();
                accepted.add(p);
                return p;
            }, ClientAuth.NONE);
            RecordingProtocol client = new RecordingProtocol();
            tlsClient(client, server.sockets().get(0), client(TestPki.get().clientContext()));
            Transport serverSide = awaitFirst(accepted).transport;
            try (FileChannel channel = FileChannel.open(file)) {
                assertThat(loop.sendfile(serverSide, channel, 10, null).get(20, TimeUnit.SECONDS))
                        .isEqualTo(content.length - 10L);
                assertThat(channel.position()).isEqualTo(content.length);
            }
            await(() -> client.receivedCount() == content.length - 10, "the file");
            assertThat(client.received()).isEqualTo(java.util.Arrays.copyOfRange(content, 10, content.length));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aServerHandshakeThatNeverStartsIsAbortedAtTheHandshakeTimeout() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = track(loop.createServer(() -> {
            RecordingProtocol p = new RecordingProtocol();
            accepted.add(p);
            return p;
        }, "127.0.0.1", 0, ServerOptions.builder().ssl(TestPki.get().serverContext())
                .sslHandshakeTimeout(java.time.Duration.ofMillis(300)).build()).get(10, TimeUnit.SECONDS));
        try (java.net.Socket silent = new java.net.Socket("127.0.0.1", Sockets.port(server.sockets().get(0)))) {
            // The default timeout is 60 s: the server closing within the 20 s read timeout is the 300 ms one.
            silent.setSoTimeout(20_000);
            try {
                // Whatever the server says on its way out (an alert, or nothing), then the end.
                silent.getInputStream().readAllBytes();
            } catch (java.net.SocketTimeoutException stillOpen) {
                throw new AssertionError("the server did not close the connection", stillOpen);
            } catch (java.net.SocketException reset) {
                // Closed with a reset: closed all the same.
            }
        }
        await(() -> server.statistics().handshakeFailures() == 1, "the handshake failure to be counted");
        assertThat(accepted).as("no protocol sees a connection whose handshake failed").isEmpty();
        assertThat(server.statistics().connectionsActive()).isZero();
        assertThat(handled).isEmpty();
    }

    @Test
    void abortOverTlsClosesTheSocketAtOnceEvenIfThePeerNeverAnswersCloseNotify() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(RecordingProtocol::new, accepted, ClientAuth.NONE);
        int port = Sockets.port(server.sockets().get(0));
        try (javax.net.ssl.SSLSocket peer = (javax.net.ssl.SSLSocket) TestPki.get().clientContext().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            peer.startHandshake();
            RecordingProtocol serverSide = awaitFirst(accepted);
            // The peer never reads again, so it never answers a close_notify (the shutdown timeout is 30 s).
            serverSide.transport.abort();
            assertThat(serverSide.awaitLost()).isNull();
            ProcFs.awaitServerSideClosed(port, peer.getLocalPort());
        }
    }

    @Test
    void waitClosedWaitsForAConnectionStillInItsHandshakeAndCloseClientsEndsIt() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        Server server = tlsServer(RecordingProtocol::new, accepted, ClientAuth.NONE);
        try (java.net.Socket silent = new java.net.Socket("127.0.0.1", Sockets.port(server.sockets().get(0)))) {
            // Accepted, handshake pending (the default timeout is 60 s): the server's, not yet a protocol's.
            ProcFs.awaitAccepted(Sockets.port(server.sockets().get(0)), silent.getLocalPort());
            server.close();
            Thread.sleep(300);
            assertThat(server.waitClosed()).as("waitClosed waits for the handshaking connection").isNotDone();
            assertThat(server.statistics().connectionsActive()).isZero();

            server.closeClients();
            server.waitClosed().get(10, TimeUnit.SECONDS);
            assertThat(accepted).as("the protocol never saw it").isEmpty();
            silent.setSoTimeout(10_000);
            try {
                silent.getInputStream().readAllBytes();
            } catch (java.net.SocketException reset) {
                // Closed with a reset: closed all the same.
            }
        }
        assertThat(handled).isEmpty();
    }

    @Test
    void aClientHandshakeThatGetsNoAnswerFailsTheConnectAtTheHandshakeTimeout() throws Exception {
        try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            RecordingProtocol client = new RecordingProtocol();
            CompletableFuture<Connection<Transport, RecordingProtocol>> connecting = loop.createConnection(
                    () -> client, "127.0.0.1", mute.getLocalPort(), ConnectionOptions.builder()
                            .ssl(TestPki.get().clientContext())
                            .sslHandshakeTimeout(java.time.Duration.ofMillis(300)).build());
            try (java.net.Socket accepted = mute.accept()) {
                // Accepted, and never a byte back: only the handshake timeout ends the wait.
                assertThatThrownBy(() -> connecting.get(20, TimeUnit.SECONDS))
                        .isInstanceOf(java.util.concurrent.ExecutionException.class)
                        .cause().isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                        .hasMessageContaining("timed out");
            }
            assertThat(client.events).as("the protocol never saw the connection").isEmpty();
        }
    }

    @Test
    void tlsOptionsAreValidated() {
        assertThatThrownBy(() -> ServerOptions.builder().clientAuth(ClientAuth.REQUIRE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssl");
        assertThatThrownBy(() -> ConnectionOptions.builder().serverHostname("x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssl");
        assertThatThrownBy(() -> ServerOptions.builder().sslHandshakeTimeout(java.time.Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sslHandshakeTimeout");
        // A client-side startTls never skips hostname verification by omission; "" is the explicit way.
        assertThatThrownBy(() -> StartTlsOptions.client(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverHostname");
        assertThatThrownBy(() -> StartTlsOptions.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverHostname");
        assertThat(StartTlsOptions.builder().serverHostname("").build().serverHostname()).isEmpty();
        assertThat(StartTlsOptions.builder().serverSide(true).handshakeTimeout(java.time.Duration.ofSeconds(5))
                .build()).isEqualTo(new StartTlsOptions(true, null, java.time.Duration.ofSeconds(5),
                        StartTlsOptions.server().shutdownTimeout()));
        assertThatThrownBy(() -> loop.createUnixConnection(RecordingProtocol::new, "/tmp/x.sock",
                ConnectionOptions.builder().ssl(TestPki.get().clientContext()).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverHostname");
    }
}
