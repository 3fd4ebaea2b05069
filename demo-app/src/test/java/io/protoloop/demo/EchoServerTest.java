package io.protoloop.demo;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(properties = "protoloop.endpoints.echo.port=0")
class EchoServerTest {

    @Autowired
    EchoServer echoServer;

    @Value("${local.protoloop.echo.port}")
    int localPort;

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", echoServer.port()), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void bindsAnEphemeralPortAndPublishesIt() {
        assertThat(echoServer.isRunning()).isTrue();
        assertThat(echoServer.port()).isPositive().isNotEqualTo(8888);
        assertThat(localPort).isEqualTo(echoServer.port());
    }

    @Test
    void echoesWhatItReceives() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (String message : new String[] {"hello", "protoloop", "a third message, a little longer"}) {
                byte[] sent = message.getBytes(StandardCharsets.UTF_8);
                out.write(sent);
                out.flush();
                assertThat(in.readNBytes(sent.length)).isEqualTo(sent);
            }
        }
    }

    @Test
    void echoesALargeStreamInOrderWhileTheClientReadsSlowerThanItWrites() throws Exception {
        // 8 MiB written at once, far over the 64 KiB high-water mark: the protocol pauses reading
        // while its write buffer is full and resumes once it drains; every byte must come back in order.
        byte[] sent = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(sent);
        try (Socket socket = connect()) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = socket.getInputStream().readNBytes(sent.length);
            writer.get(10, TimeUnit.SECONDS);
            assertThat(received.length).isEqualTo(sent.length);
            assertThat(received).isEqualTo(sent);
        }
    }

    @Test
    void halfCloseGetsTheEchoThenTheServerCloses() throws IOException {
        byte[] sent = "last words before EOF".getBytes(StandardCharsets.UTF_8);
        try (Socket socket = connect()) {
            socket.getOutputStream().write(sent);
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            // eofReceived returns false: the server flushes the echo, then closes its side, so the
            // stream ends (read returns -1) right after the echoed bytes.
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[1024];
            int n;
            while ((n = in.read(chunk)) != -1) {
                received.write(chunk, 0, n);
            }
            assertThat(received.toByteArray()).isEqualTo(sent);
        }
    }
}
