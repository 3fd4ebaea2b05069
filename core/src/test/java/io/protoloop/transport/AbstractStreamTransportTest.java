package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.ConnectionOptions;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.testsupport.RecordingProtocol;
import io.protoloop.testsupport.Sockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * asyncio's stream-transport rules over real sockets, written once and run on every engine, the way
 * Netty's testsuite runs one scenario on each transport. Subclasses pick the engine.
 */
abstract class AbstractStreamTransportTest extends LoopTestBase {

    // ---- the seed's examples --------------------------------------------------------------------

    @Test
    void tcpEchoServerAndClientFromTheSeed() throws Exception {
        // Server: echoes, then closes (asyncio's "TCP Echo Server" example).
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new RecordingProtocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data.duplicate());
                transport.write(data);
                transport.close();
            }
        }, accepted);
        // Client: sends a message, records the reply and the loss (asyncio's "TCP Echo Client").
        int port = Sockets.port(address);
        RecordingProtocol client = new RecordingProtocol() {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                transport.write("Hello World!".getBytes(StandardCharsets.US_ASCII));
            }
        };
        Connection<Transport, RecordingProtocol> c = loop.createConnection(() -> client, "127.0.0.1", port)
                .get(10, TimeUnit.SECONDS);
        assertThat(c.protocol()).isSameAs(client);
        assertThat(client.awaitLost()).isNull();
        assertThat(new String(client.received(), StandardCharsets.US_ASCII)).isEqualTo("Hello World!");
        RecordingProtocol server = accepted.get(0);
        assertThat(server.awaitLost()).isNull();
        assertThat(server.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "connectionLost");
        assertThat(client.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "eofReceived",
                "connectionLost");
    }

    @Test
    void connectAcceptedSocketFromTheSeed() throws Exception {
        assumeTrue(adoptsSockets(), "this engine cannot adopt a JDK socket");
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            try (Socket client = Sockets.connect(listener.getLocalAddress())) {
                java.nio.channels.SocketChannel accepted = listener.accept();
                EchoProtocol echo = new EchoProtocol();
                Connection<Transport, EchoProtocol> c = loop.connectAcceptedSocket(() -> echo, accepted,
                        ConnectionOptions.DEFAULT).get(10, TimeUnit.SECONDS);
                assertThat(c.transport().<SocketAddress>getExtraInfo("peername"))
                        .isEqualTo(client.getLocalSocketAddress());
                byte[] payload = Sockets.randomBytes(100_000, 7);
                client.getOutputStream().write(payload);
                assertThat(Sockets.readExactly(client.getInputStream(), payload.length)).isEqualTo(payload);
                client.shutdownOutput();
                assertThat(Sockets.readToEof(client.getInputStream())).isEmpty();
                assertThat(echo.awaitLost()).isNull();
            }
        }
    }

    // ---- callback order and threads -------------------------------------------------------------

    @Test
    void callbacksFollowAsyncioOrderOnTheTransportsOwnLoopThread() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            client.getOutputStream().write(new byte[10_000]);
            client.shutdownOutput();
            assertThat(server.awaitLost()).isNull();
            assertThat(server.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "eofReceived",
                    "connectionLost");
            assertThat(server.receivedCount()).isEqualTo(10_000);
            String loopThread = onLoop(server.transport, () -> Thread.currentThread().getName());
            assertThat(server.threads).containsOnly(loopThread);
            assertThat(Sockets.readToEof(client.getInputStream())).isEmpty();
        }
    }

    @Test
    void afterConnectionLostTheProtocolIsGoneAndReadingStops() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            server.transport.close();
            server.awaitLost();
            await(() -> server.transport.getProtocol() == null, "the protocol detached");
            assertThat(server.transport.isReading()).isFalse();
            assertThat(server.transport.isClosing()).isTrue();
            assertThat(Sockets.readToEof(client.getInputStream())).isEmpty();
        }
    }

    // ---- flow control ---------------------------------------------------------------------------

    /**
     * Fills the socket until the kernel stops taking bytes (the peer never reads), so later writes
     * stay in the transport's buffer and thresholds can be probed to the byte.
     */
    private static void fillKernelBuffers(Transport t) {
        byte[] chunk = new byte[64 * 1024];
        t.setWriteBufferLimits(Integer.MAX_VALUE, 0);
        while (t.getWriteBufferSize() == 0) {
            t.write(chunk);
        }
    }

    /** Records pause/resume with the buffer size each was called at. */
    static final class FlowRecorder extends RecordingProtocol {
        final List<Integer> pauseSizes = new CopyOnWriteArrayList<>();
        final List<Integer> resumeSizes = new CopyOnWriteArrayList<>();

        @Override
        public void pauseWriting() {
            super.pauseWriting();
            pauseSizes.add(transport.getWriteBufferSize());
        }

        @Override
        public void resumeWriting() {
            super.resumeWriting();
            resumeSizes.add(transport.getWriteBufferSize());
        }
    }

    private static void drainUntil(Socket client, BooleanSupplier done) throws IOException {
        InputStream in = client.getInputStream();
        byte[] buf = new byte[65536];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        client.setSoTimeout(50);
        try {
            while (!done.getAsBoolean()) {
                assertThat(System.nanoTime()).as("drained without the expected callback").isLessThan(deadline);
                try {
                    assertThat(in.read(buf)).isPositive();
                } catch (java.net.SocketTimeoutException nothingYet) {
                    // Everything sent so far was read; the callback may still be on its way.
                }
            }
        } finally {
            client.setSoTimeout(20_000);
        }
    }

    @Test
    void pauseWritingFiresStrictlyOverHighInsideWriteAndResumeAtOrUnderLow() throws Exception {
        List<FlowRecorder> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(FlowRecorder::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            FlowRecorder server = awaitFirst(accepted);
            Transport t = server.transport;
            // One loop task: the engine cannot flush between these writes, so sizes are exact.
            List<String> probe = onLoop(t, () -> {
                List<String> out = new ArrayList<>();
                fillKernelBuffers(t);
                int buffered = t.getWriteBufferSize();
                t.setWriteBufferLimits(buffered + 100, buffered + 50);
                out.add("limits-set pauses=" + server.pauseSizes.size());
                t.write(new byte[100]);               // exactly at high: no pause
                out.add("at-high pauses=" + server.pauseSizes.size());
                t.write(new byte[1]);                 // one byte over: pause, synchronously
                out.add("over-high pauses=" + server.pauseSizes.size() + " at=" + (server.pauseSizes.get(0) - buffered));
                t.write(new byte[1000]);              // already paused: no second call
                out.add("pauses=" + server.pauseSizes.size());
                return out;
            });
            assertThat(probe).containsExactly("limits-set pauses=0", "at-high pauses=0", "over-high pauses=1 at=101",
                    "pauses=1");
            WriteBufferLimits limits = t.getWriteBufferLimits();
            // The peer reads; resumeWriting comes exactly once, with the buffer at or under low.
            drainUntil(client, () -> !server.resumeSizes.isEmpty());
            assertThat(server.resumeSizes).hasSize(1);
            assertThat(server.resumeSizes.get(0)).isLessThanOrEqualTo(limits.low());
            assertThat(server.collapsedEvents()).containsExactly("connectionMade", "pauseWriting", "resumeWriting");
        }
    }

    @Test
    void highZeroPausesOnAnyBufferedByteAndResumesOnlyWhenEmpty() throws Exception {
        List<FlowRecorder> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(FlowRecorder::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            FlowRecorder server = awaitFirst(accepted);
            Transport t = server.transport;
            onLoop(t, () -> {
                fillKernelBuffers(t);
                t.setWriteBufferLimits(0, null);
                return null;
            });
            assertThat(t.getWriteBufferLimits()).isEqualTo(new WriteBufferLimits(0, 0));
            assertThat(server.pauseSizes).hasSize(1);
            assertThat(server.pauseSizes.get(0)).isPositive();
            drainUntil(client, () -> !server.resumeSizes.isEmpty());
            assertThat(server.resumeSizes).containsExactly(0);
        }
    }

    @Test
    void aLargeWriteTheKernelTakesWholeNeverPauses() throws Exception {
        assumeTrue(writesSynchronously(), "this engine completes writes asynchronously");
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            Transport t = server.transport;
            int size = onLoop(t, () -> {
                t.setWriteBufferLimits(100, 10);
                t.write(new byte[50]);
                return t.getWriteBufferSize();
            });
            assertThat(size).isZero();
            assertThat(server.events).doesNotContain("pauseWriting");
            Sockets.readExactly(client.getInputStream(), 50);
        }
    }

    @Test
    void writeBufferLimitsAreValidated() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket ignored = Sockets.connect(address)) {
            Transport t = awaitFirst(accepted).transport;
            assertThat(t.getWriteBufferLimits()).isEqualTo(new WriteBufferLimits(16 * 1024, 64 * 1024));
            assertThatThrownBy(() -> t.setWriteBufferLimits(-1, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("high");
            assertThatThrownBy(() -> t.setWriteBufferLimits(10, 20)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> t.setWriteBufferLimits(0, 5)).isInstanceOf(IllegalArgumentException.class);
            t.setWriteBufferLimits(null, 1000);
            await(() -> t.getWriteBufferLimits().equals(new WriteBufferLimits(1000, 4000)), "limits applied");
        }
    }

    // ---- reading control ------------------------------------------------------------------------

    @Test
    void pauseReadingIsIdempotentAndNoDataArrivesWhilePaused() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            Transport t = server.transport;
            t.pauseReading();
            t.pauseReading();
            await(() -> !t.isReading(), "paused");
            byte[] payload = Sockets.randomBytes(300_000, 1);
            OutputStream out = client.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(payload);
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // the assertions below report what went wrong
                }
            });
            writer.start();
            Thread.sleep(300);
            assertThat(server.events).containsExactly("connectionMade");
            t.resumeReading();
            t.resumeReading();
            server.awaitLost();
            writer.join(10_000);
            assertThat(server.received()).isEqualTo(payload);
            assertThat(server.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "eofReceived",
                    "connectionLost");
        }
    }

    @Test
    void eofIsHeldWhilePausedAndDeliveredAfterTheHeldData() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new RecordingProtocol() {
            private boolean pausedOnce;

            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                if (!pausedOnce) {
                    pausedOnce = true;
                    transport.pauseReading();
                }
            }
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            client.getOutputStream().write(new byte[5]);
            await(() -> server.receivedCount() == 5, "first chunk");
            client.getOutputStream().write(new byte[7]);
            client.shutdownOutput();
            Thread.sleep(300);
            assertThat(server.events).containsExactly("connectionMade", "dataReceived");
            server.transport.resumeReading();
            server.awaitLost();
            assertThat(server.receivedCount()).isEqualTo(12);
            assertThat(server.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "eofReceived",
                    "connectionLost");
        }
    }

    @Test
    void dataAndEofThatArriveBeforeReadingStartsWaitUntilResumeReading() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new RecordingProtocol() {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                transport.pauseReading();
                transport.loop().callLater(0.3, transport::resumeReading);
            }
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            client.getOutputStream().write("early".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            RecordingProtocol server = awaitFirst(accepted);
            assertThat(server.awaitLost()).isNull();
            assertThat(new String(server.received(), StandardCharsets.US_ASCII)).isEqualTo("early");
            assertThat(server.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "eofReceived",
                    "connectionLost");
            assertThat(handled).isEmpty();
        }
    }

    @Test
    void aHalfClosedTransportKeepsWritingLargeAmountsAfterEof() throws Exception {
        // After the peer's EOF nothing is left to read; a later write that fills the socket still
        // needs write readiness (Netty 4.2 epoll drops the fd from epoll when no event is wanted).
        byte[] payload = Sockets.randomBytes(8 * 1024 * 1024, 61);
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new RecordingProtocol() {
            @Override
            public boolean eofReceived() {
                super.eofReceived();
                transport.loop().callLater(0.2, () -> {
                    transport.pauseReading();
                    transport.resumeReading();
                    transport.write(payload);
                    transport.close();
                });
                return true;
            }
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            client.shutdownOutput();
            byte[] got = Sockets.readToEof(client.getInputStream());
            assertThat(got).isEqualTo(payload);
            assertThat(accepted.get(0).awaitLost()).isNull();
            assertThat(handled).isEmpty();
        }
    }

    // ---- half-close and closing -----------------------------------------------------------------

    @Test
    void writeEofHalfClosesAfterFlushingAndReadingGoesOn() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            Transport t = server.transport;
            byte[] payload = Sockets.randomBytes(4 * 1024 * 1024, 3);
            assertThat(t.canWriteEof()).isTrue();
            onLoop(t, () -> {
                t.write(payload);
                t.writeEof();
                t.writeEof();
                return null;
            });
            assertThat(Sockets.readToEof(client.getInputStream())).isEqualTo(payload);
            client.getOutputStream().write("still reading".getBytes(StandardCharsets.US_ASCII));
            await(() -> server.receivedCount() == 13, "bytes after our EOF");
            assertThatThrownBy(() -> onLoop(t, () -> {
                t.write(new byte[1]);
                return null;
            })).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("writeEof");
            client.shutdownOutput();
            assertThat(server.awaitLost()).isNull();
        }
    }

    @Test
    void eofReceivedTrueKeepsTheTransportOpenForWriting() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> {
            RecordingProtocol p = new RecordingProtocol() {
                @Override
                public boolean eofReceived() {
                    boolean keep = super.eofReceived();
                    transport.write("bye".getBytes(StandardCharsets.US_ASCII));
                    transport.close();
                    return keep;
                }
            };
            p.keepOpenOnEof = true;
            return p;
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            awaitFirst(accepted);
            client.shutdownOutput();
            assertThat(new String(Sockets.readToEof(client.getInputStream()), StandardCharsets.US_ASCII))
                    .isEqualTo("bye");
            assertThat(accepted.get(0).awaitLost()).isNull();
        }
    }

    @Test
    void closeFlushesEverythingBufferedThenReportsConnectionLostNull() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            byte[] payload = Sockets.randomBytes(8 * 1024 * 1024, 5);
            int buffered = onLoop(server.transport, () -> {
                server.transport.write(payload);
                server.transport.close();
                server.transport.write(new byte[] {42}); // still sent: the buffer is not empty yet
                return server.transport.getWriteBufferSize();
            });
            assertThat(buffered).isPositive();
            assertThat(server.lost).isNotDone();
            byte[] got = Sockets.readToEof(client.getInputStream());
            assertThat(got.length).isEqualTo(payload.length + 1);
            assertThat(java.util.Arrays.copyOf(got, payload.length)).isEqualTo(payload);
            assertThat(got[payload.length]).isEqualTo((byte) 42);
            assertThat(server.awaitLost()).isNull();
            assertThat(server.events).containsOnlyOnce("connectionLost");
        }
    }

    @Test
    void abortDropsTheBufferAndWritesAfterCloseNeverThrow() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            Transport t = server.transport;
            onLoop(t, () -> {
                fillKernelBuffers(t);
                t.abort();
                t.abort();
                return null;
            });
            assertThat(server.awaitLost()).isNull();
            assertThat(t.getWriteBufferSize()).isZero();
            for (int i = 0; i < 10; i++) {
                t.write(new byte[10]);
            }
            t.close();
            assertThat(server.events).containsOnlyOnce("connectionLost");
            assertThat(handled).isEmpty();
        }
    }

    @Test
    void aPeerResetMidTransferEndsInConnectionLostWithAnIOException() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        Socket client = Sockets.connect(address);
        RecordingProtocol server = awaitFirst(accepted);
        onLoop(server.transport, () -> {
            fillKernelBuffers(server.transport);
            return null;
        });
        client.setSoLinger(true, 0);
        client.close(); // RST
        assertThat(server.awaitLost()).isInstanceOf(IOException.class);
        assertThat(handled).as("peer I/O errors do not reach the exception handler").isEmpty();
        assertThat(server.collapsedEvents()).containsExactly("connectionMade", "connectionLost");
    }

    // ---- protocol exceptions --------------------------------------------------------------------

    @Test
    void aThrowingDataReceivedReachesTheHandlerAndForceClosesOnlyThatTransport() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new EchoProtocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                if (data.remaining() == 4 && data.get(0) == 'b') {
                    throw boom;
                }
                super.dataReceived(data);
            }
        }, accepted);
        try (Socket healthy = Sockets.connect(address); Socket failing = Sockets.connect(address)) {
            await(() -> accepted.size() == 2, "two connections");
            failing.getOutputStream().write("boom".getBytes(StandardCharsets.US_ASCII));
            assertThat(Sockets.readToEof(failing.getInputStream())).isEmpty();
            await(() -> !handled.isEmpty(), "the exception handler");
            Map<String, Object> context = handled.get(0);
            assertThat(context.get("exception")).isSameAs(boom);
            assertThat((String) context.get("message")).contains("dataReceived");
            assertThat(context).containsKeys("transport", "protocol");
            RecordingProtocol failed = accepted.stream().filter(p -> p.lost.isDone()).findFirst().orElseThrow();
            assertThat(failed.awaitLost()).isSameAs(boom);
            healthy.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
            assertThat(Sockets.readExactly(healthy.getInputStream(), 2)).isEqualTo("ok".getBytes());
        }
    }

    @Test
    void aThrowingConnectionMadeIsReportedButTheTransportStaysOpen() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new EchoProtocol() {
            @Override
            public void connectionMade(Transport transport) {
                super.connectionMade(transport);
                throw new IllegalStateException("made");
            }
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            await(() -> !handled.isEmpty(), "the exception handler");
            client.getOutputStream().write(1);
            assertThat(client.getInputStream().read()).isEqualTo(1);
        }
    }

    @Test
    void aThrowingEofReceivedForceClosesWithThatException() throws Exception {
        IllegalStateException boom = new IllegalStateException("eof");
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new RecordingProtocol() {
            @Override
            public boolean eofReceived() {
                throw boom;
            }
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            client.shutdownOutput();
            assertThat(server.awaitLost()).isSameAs(boom);
            await(() -> !handled.isEmpty(), "the exception handler");
            assertThat(handled.get(0).get("exception")).isSameAs(boom);
        }
    }

    @Test
    void aThrowingPauseWritingIsReportedAndDoesNotClose() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(() -> new RecordingProtocol() {
            @Override
            public void pauseWriting() {
                super.pauseWriting();
                throw new IllegalStateException("pause");
            }
        }, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol server = awaitFirst(accepted);
            onLoop(server.transport, () -> {
                fillKernelBuffers(server.transport);
                server.transport.setWriteBufferLimits(1, 0);
                return null;
            });
            await(() -> !handled.isEmpty(), "the exception handler");
            assertThat(server.transport.isClosing()).isFalse();
            assertThat(server.lost).isNotDone();
        }
    }

    @Test
    void aFactoryThatReturnsNullIsReportedAndOnlyThatConnectionCloses() throws Exception {
        Server server = serve(() -> null);
        try (Socket client = Sockets.connect(server.sockets().get(0))) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await(() -> !handled.isEmpty(), "the exception handler");
            assertThat(((Throwable) handled.get(0).get("exception")).getMessage()).contains("returned null");
            assertThat(server.isServing()).isTrue();
        }
    }

    // ---- extra info and protocol switching ------------------------------------------------------

    @Test
    void extraInfoGivesAddressesAndAJdkTypedSocketView() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            Transport t = awaitFirst(accepted).transport;
            assertThat(t.<SocketAddress>getExtraInfo("peername")).isEqualTo(client.getLocalSocketAddress());
            assertThat(t.<SocketAddress>getExtraInfo("sockname")).isEqualTo(address);
            SocketView socket = t.getExtraInfo("socket");
            assertThat(socket.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertThat(socket.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(socket.remoteAddress()).isEqualTo(client.getLocalSocketAddress());
            assertThat(t.<Object>getExtraInfo("nonexistent")).isNull();
            assertThat(t.getExtraInfo("nonexistent", "fallback")).isEqualTo("fallback");
            assertThat(t.loop().members()).containsExactly(t.loop());
            assertThat(loop.members()).contains(t.loop());
        }
    }

    @Test
    void setProtocolRoutesLaterCallbacksToTheNewProtocol() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            RecordingProtocol first = awaitFirst(accepted);
            RecordingProtocol second = new RecordingProtocol();
            first.transport.setProtocol(second);
            await(() -> first.transport.getProtocol() == second, "the switch");
            client.getOutputStream().write(new byte[3]);
            client.shutdownOutput();
            second.awaitLost();
            assertThat(second.receivedCount()).isEqualTo(3);
            assertThat(first.events).containsExactly("connectionMade");
            assertThatThrownBy(() -> first.transport.setProtocol(new io.protoloop.protocol.BaseProtocol<>() {
            })).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writesFromOtherThreadsAreDeliveredInCallOrder() throws Exception {
        List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
        SocketAddress address = serveInto(RecordingProtocol::new, accepted);
        try (Socket client = Sockets.connect(address)) {
            Transport t = awaitFirst(accepted).transport;
            ByteBuffer reused = ByteBuffer.allocate(4);
            for (int i = 0; i < 10_000; i++) {
                reused.clear();
                reused.putInt(i).flip();
                t.write(reused);
                assertThat(reused.hasRemaining()).isFalse();
            }
            t.close();
            ByteBuffer got = ByteBuffer.wrap(Sockets.readToEof(client.getInputStream()));
            assertThat(got.remaining()).isEqualTo(40_000);
            for (int i = 0; i < 10_000; i++) {
                assertThat(got.getInt()).isEqualTo(i);
            }
        }
    }

    // ---- buffered protocol ----------------------------------------------------------------------

    static final class CollectingBufferedProtocol implements BufferedProtocol {
        final ByteBuffer buffer;
        final java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        final List<Integer> hints = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> lost = new CompletableFuture<>();
        volatile boolean eof;

        CollectingBufferedProtocol(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getBuffer(int sizehint) {
            hints.add(sizehint);
            buffer.clear();
            return buffer;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            byte[] b = new byte[nbytes];
            buffer.duplicate().get(b);
            assertThat(buffer.position()).isZero();
            synchronized (got) {
                got.write(b, 0, nbytes);
            }
        }

        @Override
        public boolean eofReceived() {
            eof = true;
            return false;
        }

        @Override
        public void connectionLost(Throwable exc) {
            lost.complete(exc);
        }
    }

    private void bufferedProtocolReceivesIntact(ByteBuffer buffer) throws Exception {
        CollectingBufferedProtocol protocol = new CollectingBufferedProtocol(buffer);
        Server server = loop.createServer(() -> protocol, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
        track(server);
        byte[] payload = Sockets.randomBytes(1_000_000, 11);
        try (Socket client = Sockets.connect(server.sockets().get(0))) {
            client.getOutputStream().write(payload);
            client.shutdownOutput();
            assertThat(protocol.lost.get(10, TimeUnit.SECONDS)).isNull();
        }
        assertThat(protocol.got.toByteArray()).isEqualTo(payload);
        assertThat(protocol.eof).isTrue();
        assertThat(protocol.hints).allMatch(h -> h == -1 || h > 0);
    }

    @Test
    void bufferedProtocolReceivesIntoADirectBuffer() throws Exception {
        bufferedProtocolReceivesIntact(ByteBuffer.allocateDirect(4096));
    }

    @Test
    void bufferedProtocolReceivesIntoAHeapBuffer() throws Exception {
        bufferedProtocolReceivesIntact(ByteBuffer.allocate(1000));
    }

    @Test
    void anEmptyBufferFromGetBufferIsAFatalError() throws Exception {
        AtomicReference<Throwable> lost = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Server server = serve(() -> null);
        server.close();
        Server buffered = loop.createServer(() -> new BufferedProtocol() {
            @Override
            public ByteBuffer getBuffer(int sizehint) {
                return ByteBuffer.allocateDirect(0);
            }

            @Override
            public void bufferUpdated(int nbytes) {
            }

            @Override
            public void connectionLost(Throwable exc) {
                lost.set(exc);
                done.complete(null);
            }
        }, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
        track(buffered);
        try (Socket client = Sockets.connect(buffered.sockets().get(0))) {
            client.getOutputStream().write(1);
            done.get(10, TimeUnit.SECONDS);
            assertThat(lost.get()).hasMessageContaining("empty buffer");
            await(() -> !handled.isEmpty(), "the exception handler");
        }
    }

    // ---- sendfile -------------------------------------------------------------------------------

    @Test
    void sendfileSendsTheFileRangeAfterBufferedDataAndMovesThePosition() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("protoloop", ".bin");
        try {
            byte[] content = Sockets.randomBytes(3_000_000, 13);
            java.nio.file.Files.write(file, content);
            List<RecordingProtocol> accepted = new CopyOnWriteArrayList<>();
            SocketAddress address = serveInto(RecordingProtocol::new, accepted);
            try (Socket client = Sockets.connect(address);
                 java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                Transport t = awaitFirst(accepted).transport;
                t.write("head".getBytes(StandardCharsets.US_ASCII));
                CompletableFuture<Long> sent = loop.sendfile(t, channel, 1000, null);
                byte[] got = Sockets.readExactly(client.getInputStream(), 4 + content.length - 1000);
                assertThat(sent.get(10, TimeUnit.SECONDS)).isEqualTo(content.length - 1000L);
                assertThat(channel.position()).isEqualTo(content.length);
                assertThat(new String(got, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("head");
                assertThat(java.util.Arrays.copyOfRange(got, 4, got.length))
                        .isEqualTo(java.util.Arrays.copyOfRange(content, 1000, content.length));
                assertThat(loop.sendfile(t, channel, 0, 10L).get(10, TimeUnit.SECONDS)).isEqualTo(10L);
                assertThat(Sockets.readExactly(client.getInputStream(), 10))
                        .isEqualTo(java.util.Arrays.copyOf(content, 10));
                assertThatThrownBy(() -> loop.sendfile(t, channel, -1, null))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
                assertThat(channel.isOpen()).isTrue();
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    // ---- scale ----------------------------------------------------------------------------------

    @Test
    void aThousandConcurrentConnectionsAllEchoAndReleaseTheirDescriptors() throws Exception {
        long descriptorsBefore = openDescriptors();
        Server server = serve(EchoProtocol::new);
        int port = Sockets.port(server.sockets().get(0));
        int n = 1000;
        List<CompletableFuture<Connection<Transport, RecordingProtocol>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            pending.add(loop.createConnection(() -> new RecordingProtocol() {
                @Override
                public void connectionMade(Transport transport) {
                    super.connectionMade(transport);
                    transport.write(ByteBuffer.allocate(4).putInt(0, id));
                }
            }, "127.0.0.1", port));
        }
        List<RecordingProtocol> clients = new ArrayList<>();
        for (CompletableFuture<Connection<Transport, RecordingProtocol>> f : pending) {
            clients.add(f.get(30, TimeUnit.SECONDS).protocol());
        }
        for (int i = 0; i < n; i++) {
            RecordingProtocol c = clients.get(i);
            await(() -> c.receivedCount() == 4, "echo " + i);
            assertThat(ByteBuffer.wrap(c.received()).getInt()).isEqualTo(i);
            c.transport.close();
        }
        for (RecordingProtocol c : clients) {
            assertThat(c.awaitLost()).isNull();
        }
        server.close();
        server.waitClosed().get(20, TimeUnit.SECONDS);
        // 2,000 sockets were open; every one is closed again (a little slack for the JVM's own files).
        await(() -> openDescriptors() <= descriptorsBefore + 5, "the sockets' descriptors to be released");
    }

    private static long openDescriptors() {
        try (java.util.stream.Stream<java.nio.file.Path> fds =
                     java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
