package io.protoloop.demo;

import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.transport.Transport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Every demo endpoint through a running context, on ephemeral ports. */
@SpringBootTest(properties = {"protoloop.endpoints.echo.port=0", "protoloop.endpoints.udp-echo.port=0",
        "protoloop.endpoints.exec.port=0", "protoloop.demo.ticker.period=0.2", "server.port=0"})
class DemoEndpointsTest {

    @Value("${local.protoloop.echo.port}")
    int echoPort;

    @Value("${local.protoloop.udp-echo.port}")
    int udpPort;

    @Value("${local.protoloop.exec.port}")
    int execPort;

    @Autowired
    TickerLines tickerLines;

    @Autowired
    EndpointRegistry registry;

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void echoSendsEveryByteBackAndClosesAfterTheClientsEof() throws Exception {
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(1).nextBytes(payload);
        try (Socket socket = connect(echoPort)) {
            // Send everything before reading: the server must pause reading instead of buffering 8 MiB.
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] echoed = readToEof(socket.getInputStream());
            sent.get(20, TimeUnit.SECONDS);
            assertThat(echoed).isEqualTo(payload);
        }
    }

    @Test
    void aClientThatSendsAndNeverReadsIsPushedBackInsteadOfBuffered() throws Exception {
        long total = 64L * 1024 * 1024;
        try (Socket socket = connect(echoPort)) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = socket.getOutputStream();
                    while (written.get() < total) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // The socket closes under the blocked write when the test ends.
                }
            });
            ManagedEndpoint echo = registry.getEndpoint("echo");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Transport transport = null;
            while (System.nanoTime() < deadline) {
                transport = echo.getTransports().isEmpty() ? null : (Transport) echo.getTransports().get(0);
                if (transport != null && !transport.isReading()) {
                    break;
                }
                Thread.sleep(20);
            }
            // pauseWriting paused reading: what the client sends stays in the kernel's buffers, so the
            // server holds about one high-water mark, not what the client pushed.
            assertThat(transport).isNotNull();
            assertThat(transport.isReading()).as("reading paused").isFalse();
            assertThat(transport.getWriteBufferSize()).isGreaterThan(64 * 1024).isLessThan(1024 * 1024);
            // The kernel's buffers fill and the client's write blocks, far short of 64 MiB.
            Thread.sleep(300);
            assertThat(writer).isNotDone();
            assertThat(written.get()).isLessThan(total);
        }
    }

    @Test
    void udpEchoReturnsEmptyAndMaximumDatagrams() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            socket.setSoTimeout(10_000);
            for (int size : new int[] {0, 65_507}) {
                byte[] data = new byte[size];
                new Random(size).nextBytes(data);
                socket.send(new DatagramPacket(data, size, new InetSocketAddress("127.0.0.1", udpPort)));
                DatagramPacket reply = new DatagramPacket(new byte[70_000], 70_000);
                socket.receive(reply);
                assertThat(Arrays.copyOf(reply.getData(), reply.getLength())).isEqualTo(data);
            }
        }
    }

    @Test
    void execPipesEachConnectionThroughItsOwnChild() throws Exception {
        try (Socket socket = connect(execPort)) {
            socket.getOutputStream().write("hello, protoloop\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertThat(new String(readToEof(socket.getInputStream()), StandardCharsets.US_ASCII))
                    .isEqualTo("HELLO, PROTOLOOP\n");
        }
    }

    @Test
    void execKeepsLargeTransfersIntactWithFlowControlBothWays() throws Exception {
        byte[] payload = new byte[4 * 1024 * 1024];
        Arrays.fill(payload, (byte) 'a');
        try (Socket socket = connect(execPort)) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300); // let the pipes fill up before reading anything
            byte[] out = readToEof(socket.getInputStream());
            sent.get(20, TimeUnit.SECONDS);
            assertThat(out).hasSize(payload.length);
            for (byte b : out) {
                if (b != 'A') {
                    assertThat((char) b).isEqualTo('A');
                }
            }
        }
    }

    @Test
    void theSupervisedTickerRunsAndItsLinesAreCounted() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tickerLines.count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(tickerLines.count()).isGreaterThanOrEqualTo(2);
    }
}
