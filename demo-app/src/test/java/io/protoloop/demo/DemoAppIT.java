package io.protoloop.demo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end: the packaged demo jar runs as a real process on free ports; every endpoint is checked
 * over real sockets and every Actuator resource over HTTP, and a SIGTERM shows the graceful shutdown
 * flushing pending echo data and taking the supervised child with it.
 */
class DemoAppIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process app;
    private Path log;
    private int echoPort;
    private int udpPort;
    private int execPort;
    private int httpPort;

    @BeforeEach
    void startTheDemo() throws Exception {
        echoPort = freeTcpPort();
        execPort = freeTcpPort();
        httpPort = freeTcpPort();
        udpPort = freeUdpPort();
        log = Files.createTempFile("protoloop-demo", ".log");
        String jar = System.getProperty("demo.jar");
        assertThat(jar).as("the failsafe configuration passes the packaged jar").isNotNull();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                "--protoloop.endpoints.echo.port=" + echoPort, "--protoloop.endpoints.udp-echo.port=" + udpPort,
                "--protoloop.endpoints.exec.port=" + execPort, "--server.port=" + httpPort,
                "--protoloop.demo.ticker.period=0.2", "--protoloop.endpoints.echo.write-buffer.high=32MB"));
        app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(app.isAlive()).as("the demo died at startup:\n%s", logText()).isTrue();
            try {
                if (get("/actuator/health/readiness").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the web server is not listening yet
            }
            assertThat(System.nanoTime()).as("the demo did not become ready:\n%s", logText()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterEach
    void stopTheDemo() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
        Files.deleteIfExists(log);
    }

    @Test
    void everyEndpointAnswersOverRealSockets() throws Exception {
        byte[] payload = new byte[1 << 20];
        new Random(3).nextBytes(payload);
        try (Socket echo = connect(echoPort)) {
            echo.getOutputStream().write(payload);
            echo.shutdownOutput();
            assertThat(readToEof(echo.getInputStream())).isEqualTo(payload);
        }
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout(10_000);
            byte[] datagram = "ping".getBytes(StandardCharsets.US_ASCII);
            udp.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress("127.0.0.1", udpPort)));
            DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
            udp.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
        }
        try (Socket exec = connect(execPort)) {
            exec.getOutputStream().write("make me loud\n".getBytes(StandardCharsets.US_ASCII));
            exec.shutdownOutput();
            assertThat(new String(readToEof(exec.getInputStream()), StandardCharsets.US_ASCII))
                    .isEqualTo("MAKE ME LOUD\n");
        }
    }

    @Test
    void theSeedClientsRunFromTheJar() throws Exception {
        assertThat(runClient("tcp", echoPort)).contains("Received: hello from the client");
        assertThat(runClient("udp", udpPort)).contains("Received: hello from the client");
    }

    private String runClient(String kind, int port) throws Exception {
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("demo.jar"), "client", kind, "hello from the client", "127.0.0.1",
                String.valueOf(port)).redirectErrorStream(true).start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void actuatorShowsHealthMetricsPrometheusAndTransports() throws Exception {
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").contains("protoloop");
        try (Socket ignored = connect(echoPort)) {
            awaitBody("/actuator/metrics/protoloop.connections.active?tag=endpoint:echo", "\"value\":1.0");
            HttpResponse<String> prometheus = get("/actuator/prometheus");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.body()).contains("protoloop_connections_active").contains("protoloop_bytes_received")
                    .contains("protoloop_write_buffer_size").contains("protoloop_loop_lag").contains("demo_ticker_lines");
            HttpResponse<String> transports = get("/actuator/transports");
            assertThat(transports.statusCode()).isEqualTo(200);
            assertThat(transports.body()).contains("\"echo\"").contains("\"udp-echo\"").contains("\"exec\"")
                    .contains("\"ticker\"");
            // One transport by its id: the open echo connection.
            String echo = get("/actuator/transports?endpoint=echo").body();
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"transports\":\\[\\{\"id\":\"(\\d+)\"")
                    .matcher(echo);
            assertThat(id.find()).as(echo).isTrue();
            HttpResponse<String> one = get("/actuator/transports/" + id.group(1));
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).contains("\"id\":\"" + id.group(1) + "\"", "\"endpoint\":\"echo\"",
                    "\"kind\":\"tcp\"", "\"writeBufferLimits\":");
            assertThat(get("/actuator/transports/999999999").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void sigtermFlushesPendingEchoDataAndStopsTheSupervisedChild() throws Exception {
        awaitBody("/actuator/transports", "\"ticker\"");
        List<ProcessHandle> children = app.descendants().toList();
        assertThat(children).as("the ticker's child").isNotEmpty();
        // 12 MiB, under the test's 32 MiB high-water mark: the server reads it all (closing a socket
        // with unread input would reset it), and what the kernel's buffers (up to 4 MiB on Linux) do
        // not hold stays in the transport's write buffer, because the client does not read yet.
        byte[] payload = new byte[12 * 1024 * 1024];
        new Random(5).nextBytes(payload);
        try (Socket echo = new Socket()) {
            echo.setReceiveBufferSize(4096);
            echo.connect(new InetSocketAddress("127.0.0.1", echoPort), 5000);
            echo.setSoTimeout(30_000);
            echo.getOutputStream().write(payload);
            awaitBody("/actuator/transports?endpoint=echo", "\"bytesReceived\":" + payload.length);
            String transports = get("/actuator/transports?endpoint=echo").body();
            java.util.regex.Matcher buffered = java.util.regex.Pattern.compile("\"writeBufferSize\":(\\d+)")
                    .matcher(transports);
            assertThat(buffered.find()).as(transports).isTrue();
            assertThat(Integer.parseInt(buffered.group(1))).as("bytes waiting in the transport at SIGTERM")
                    .isPositive();

            app.destroy(); // SIGTERM: Spring Boot's graceful shutdown
            byte[] echoed = readToEof(echo.getInputStream());
            assertThat(echoed).as("every byte the server read comes back, in order, then EOF").isEqualTo(payload);
        }
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).as(logText()).isTrue();
        for (ProcessHandle child : children) {
            assertThat(child.isAlive()).as("child %d after shutdown", child.pid()).isFalse();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitBody(String path, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(path);
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200 && response.body().contains(expected)) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(last).as("GET %s", path).contains(expected);
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
