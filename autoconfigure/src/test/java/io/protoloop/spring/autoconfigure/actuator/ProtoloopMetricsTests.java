package io.protoloop.spring.autoconfigure.actuator;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.protoloop.EventLoop;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.spring.TransportKind;
import io.protoloop.spring.actuator.TransportsEndpoint;
import io.protoloop.spring.actuator.TransportsEndpoint.TransportDescriptor;
import io.protoloop.spring.actuator.TransportsEndpoint.TransportsDescriptor;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.DatagramEcho;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Echo;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Flood;
import io.protoloop.testsupport.Sockets;
import io.protoloop.transport.ReadTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.WriteTransport;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.FLOOD_BYTES;
import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.port;
import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The protoloop meters through a running context, with real sockets, as Prometheus scrapes them.
 */
class ProtoloopMetricsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner contextRunner = ActuatorTestSupport.contextRunner();

    @Test
    void slowReaderShowsInTheBufferAndPauseMetersAndInTheTransportsEndpointUntilItDrains() {
        this.contextRunner.withUserConfiguration(Flood.class).run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TransportsEndpoint transports = context.getBean(TransportsEndpoint.class);
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(4096);
                client.connect(new InetSocketAddress("127.0.0.1", port(context, "flood")), 5000);
                client.setSoTimeout(10_000);
                client.getOutputStream().write('!');
                // The client does not read: the 4 MiB answer piles up in the write buffer, way over 64 KiB.
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(gauge(registry, "protoloop.write.buffer.size", "flood")).isGreaterThan(1024 * 1024);
                    assertThat(gauge(registry, "protoloop.write.buffer.max", "flood")).isGreaterThan(1024 * 1024);
                    assertThat(gauge(registry, "protoloop.writing.paused", "flood")).isEqualTo(1);
                    assertThat(gauge(registry, "protoloop.reading.paused", "flood")).isEqualTo(1);
                });
                TransportsDescriptor paused = transports.transports("flood", null, null);
                assertThat(paused.total()).isEqualTo(1);
                TransportDescriptor transport = paused.transports().get(0);
                assertThat(transport.exact()).isTrue();
                assertThat(transport.writingPaused()).isTrue();
                assertThat(transport.readingPaused()).isTrue();
                assertThat(transport.reading()).isFalse();
                assertThat(transport.writeBufferSize()).isGreaterThan(transport.writeBufferLimits().high());
                assertThat(transport.writeBufferLimits()).isEqualTo(new TransportsEndpoint.LimitsDescriptor(16384, 65536));
                assertThat(paused.endpoints()).singleElement()
                    .satisfies((endpoint) -> assertThat(endpoint.server().connectionsActive()).isEqualTo(1));

                Sockets.readExactly(client.getInputStream(), FLOOD_BYTES);

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(gauge(registry, "protoloop.write.buffer.size", "flood")).isZero();
                    assertThat(gauge(registry, "protoloop.write.buffer.max", "flood")).isZero();
                    assertThat(gauge(registry, "protoloop.writing.paused", "flood")).isZero();
                    assertThat(gauge(registry, "protoloop.reading.paused", "flood")).isZero();
                });
                TransportDescriptor drained = transports.transport(transport.id());
                assertThat(drained.writeBufferSize()).isZero();
                assertThat(drained.writingPaused()).isFalse();
                assertThat(drained.readingPaused()).isFalse();
                assertThat(drained.reading()).isTrue();
                assertThat(drained.bytesSent()).isEqualTo(FLOOD_BYTES);
                assertThat(counter(registry, "protoloop.bytes.sent", "flood")).isEqualTo(FLOOD_BYTES);
                assertThat(counter(registry, "protoloop.bytes.received", "flood")).isEqualTo(1);
            }
        });
    }

    @Test
    void countsReturnToTheirBaselineAfter2000ConnectionsOpenAndClose() {
        this.contextRunner.withUserConfiguration(Echo.class).run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TransportsEndpoint transports = context.getBean(TransportsEndpoint.class);
            EventLoop loop = context.getBean(EventLoop.class);
            int baselineResources = loop.statistics().transports();
            assertThat(gauge(registry, "protoloop.connections.active", "echo")).isZero();
            int port = port(context, "echo");
            for (int batch = 0; batch < 8; batch++) {
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < 250; i++) {
                        Socket socket = ActuatorTestSupport.connect(port);
                        sockets.add(socket);
                        assertThat(roundTrip(socket, "x")).isEqualTo("x");
                    }
                    if (batch == 0) {
                        await().atMost(WAIT)
                            .untilAsserted(() -> assertThat(gauge(registry, "protoloop.connections.active", "echo"))
                                .isEqualTo(250));
                        assertThat(transports.transports("echo", null, null).total()).isEqualTo(250);
                    }
                }
                finally {
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
            }
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(gauge(registry, "protoloop.connections.active", "echo")).isZero();
                assertThat(counter(registry, "protoloop.connections.total", "echo")).isEqualTo(2000);
                assertThat(counter(registry, "protoloop.bytes.received", "echo")).isEqualTo(2000);
                assertThat(counter(registry, "protoloop.bytes.sent", "echo")).isEqualTo(2000);
                assertThat(loop.statistics().transports()).isEqualTo(baselineResources);
            });
            assertThat(gauge(registry, "protoloop.write.buffer.size", "echo")).isZero();
            assertThat(gauge(registry, "protoloop.write.buffer.max", "echo")).isZero();
            assertThat(gauge(registry, "protoloop.writing.paused", "echo")).isZero();
            assertThat(gauge(registry, "protoloop.reading.paused", "echo")).isZero();
            TransportsDescriptor after = transports.transports(null, null, null);
            assertThat(after.total()).isZero();
            assertThat(after.transports()).isEmpty();
            assertThat(after.endpoints()).singleElement().satisfies((endpoint) -> {
                assertThat(endpoint.transports()).isZero();
                assertThat(endpoint.server().connectionsTotal()).isEqualTo(2000);
            });
        });
    }

    @Test
    void metersAreRegisteredWhenTheEndpointBindsAndRemovedWhenItStops() {
        this.contextRunner.withUserConfiguration(Echo.class).run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            // Bound, no traffic yet: every stream meter is there, at zero.
            for (String name : List.of("protoloop.connections.active", "protoloop.write.buffer.size",
                    "protoloop.write.buffer.max", "protoloop.writing.paused", "protoloop.reading.paused")) {
                assertThat(gauge(registry, name, "echo")).as(name).isZero();
            }
            for (String name : List.of("protoloop.connections.total", "protoloop.bytes.received",
                    "protoloop.bytes.sent")) {
                assertThat(counter(registry, name, "echo")).as(name).isZero();
            }
            assertThat(registry.find("protoloop.datagrams.received").meters()).isEmpty();
            assertThat(registry.find("protoloop.subprocesses.active").meters()).isEmpty();
            // Loop meters: one per member (protoloop.loop.threads=2) and the group's slow callbacks.
            assertThat(registry.find("protoloop.loop.lag").timeGauges()).hasSize(2);
            assertThat(registry.get("protoloop.loop.lag").tag("loop", "1").timeGauge().value()).isNotNegative();
            assertThat(registry.get("protoloop.loop.tasks.pending").tag("loop", "0").gauge().value()).isNotNegative();
            assertThat(registry.get("protoloop.loop.slow.callbacks").functionCounter().count()).isZero();

            context.stop();
            assertThat(registry.find("protoloop.connections.active").meters()).isEmpty();
            assertThat(registry.find("protoloop.bytes.sent").meters()).isEmpty();
            context.start();
            try (Socket socket = ActuatorTestSupport.connect(port(context, "echo"))) {
                assertThat(roundTrip(socket, "again")).isEqualTo("again");
                await().atMost(WAIT).untilAsserted(
                        () -> assertThat(gauge(registry, "protoloop.connections.active", "echo")).isEqualTo(1));
            }
        });
    }

    @Test
    void datagramAndSubprocessEndpointsHaveTheirOwnMeters() {
        this.contextRunner.withUserConfiguration(DatagramEcho.class, ExitingProcess.class).run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                client.setSoTimeout(20_000);
                byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(hello, hello.length,
                        new InetSocketAddress("127.0.0.1", port(context, "datagrams"))));
                DatagramPacket answer = new DatagramPacket(new byte[64], 64);
                client.receive(answer);
            }
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(counter(registry, "protoloop.datagrams.received", "datagrams")).isEqualTo(1);
                assertThat(counter(registry, "protoloop.datagrams.sent", "datagrams")).isEqualTo(1);
                assertThat(counter(registry, "protoloop.bytes.received", "datagrams")).isEqualTo(5);
                assertThat(counter(registry, "protoloop.bytes.sent", "datagrams")).isEqualTo(5);
                assertThat(gauge(registry, "protoloop.subprocesses.active", "exiting")).isZero();
                assertThat(counter(registry, "protoloop.subprocess.exits", "exiting")).isEqualTo(1);
            });
            // The process wrote nothing and was given nothing; its pipes' meters say so.
            for (String name : List.of("protoloop.bytes.received", "protoloop.bytes.sent")) {
                assertThat(counter(registry, name, "exiting")).as(name).isZero();
            }
            for (String name : List.of("protoloop.write.buffer.size", "protoloop.write.buffer.max",
                    "protoloop.writing.paused", "protoloop.reading.paused")) {
                assertThat(gauge(registry, name, "exiting")).as(name).isZero();
            }
            assertThat(registry.find("protoloop.connections.active").tag("endpoint", "exiting").meters()).isEmpty();
            assertThat(registry.find("protoloop.datagrams.received").tag("endpoint", "exiting").meters()).isEmpty();
            assertThat(counter(registry, "protoloop.datagrams.errors", "datagrams")).isZero();
            assertThat(gauge(registry, "protoloop.write.buffer.size", "datagrams")).isZero();
            assertThat(registry.find("protoloop.connections.active").tag("endpoint", "datagrams").meters()).isEmpty();
        });
    }

    @Test
    void aRunningProcessCountsTheBytesWrittenToItsStdinAndReadFromItsStdout() {
        this.contextRunner.withUserConfiguration(HelloCat.class).run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TransportsEndpoint transports = context.getBean(TransportsEndpoint.class);
            // cat echoes what the protocol wrote and keeps running: stdin is not closed.
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(counter(registry, "protoloop.bytes.sent", "cat")).isEqualTo(HelloCat.HELLO.length);
                assertThat(counter(registry, "protoloop.bytes.received", "cat")).isEqualTo(HelloCat.HELLO.length);
            });
            assertThat(gauge(registry, "protoloop.subprocesses.active", "cat")).isEqualTo(1);
            for (String name : List.of("protoloop.write.buffer.size", "protoloop.write.buffer.max",
                    "protoloop.writing.paused", "protoloop.reading.paused")) {
                assertThat(gauge(registry, name, "cat")).as(name).isZero();
            }
            TransportDescriptor process = transports.transports("cat", null, null).transports().get(0);
            assertThat(process.kind()).isEqualTo("subprocess");
            assertThat(process.exact()).isTrue();
            assertThat(process.bytesSent()).isEqualTo(HelloCat.HELLO.length);
            assertThat(process.bytesReceived()).isEqualTo(HelloCat.HELLO.length);
            assertThat(process.reading()).isTrue();
            assertThat(process.writingPaused()).isFalse();
            assertThat(process.writeBufferSize()).isZero();
            PrometheusMeterRegistry prometheus = context.getBean(PrometheusMeterRegistry.class);
            await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus.scrape()).contains(
                    "protoloop_bytes_sent_bytes_total{endpoint=\"cat\"} 10.0",
                    "protoloop_bytes_received_bytes_total{endpoint=\"cat\"} 10.0",
                    "protoloop_write_buffer_size_bytes{endpoint=\"cat\"} 0.0",
                    "protoloop_writing_paused{endpoint=\"cat\"} 0.0", "protoloop_reading_paused{endpoint=\"cat\"} 0.0",
                    "protoloop_subprocesses_active{endpoint=\"cat\"} 1"));
        });
    }

    @Test
    void aProcessThatDoesNotReadItsStdinShowsInTheBufferAndPauseMeters() {
        // The endpoint's water marks reach the stdin pipe of its process.
        this.contextRunner.withUserConfiguration(Stuffed.class)
            .withPropertyValues("protoloop.endpoints.stuffed.write-buffer.high=1000B",
                    "protoloop.endpoints.stuffed.write-buffer.low=100B")
            .run((context) -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TransportsEndpoint transports = context.getBean(TransportsEndpoint.class);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(gauge(registry, "protoloop.writing.paused", "stuffed")).isEqualTo(1);
                assertThat(gauge(registry, "protoloop.reading.paused", "stuffed")).isEqualTo(1);
                assertThat(gauge(registry, "protoloop.write.buffer.size", "stuffed")).isEqualTo(Stuffed.BYTES);
                assertThat(gauge(registry, "protoloop.write.buffer.max", "stuffed")).isEqualTo(Stuffed.BYTES);
            });
            // The writer thread's blocking write of the whole chunk has not returned: nothing counts as sent.
            assertThat(counter(registry, "protoloop.bytes.sent", "stuffed")).isZero();
            assertThat(counter(registry, "protoloop.bytes.received", "stuffed")).isZero();
            TransportDescriptor process = transports.transports("stuffed", null, null).transports().get(0);
            assertThat(process.exact()).isTrue();
            assertThat(process.writingPaused()).isTrue();
            assertThat(process.readingPaused()).isTrue();
            assertThat(process.reading()).isFalse();
            assertThat(process.closing()).isFalse();
            assertThat(process.writeBufferSize()).isEqualTo(Stuffed.BYTES)
                .isGreaterThan(process.writeBufferLimits().high());
            assertThat(process.writeBufferLimits()).isEqualTo(new TransportsEndpoint.LimitsDescriptor(100, 1000));
            assertThat(process.bytesSent()).isZero();
        });
    }

    @Test
    void bytesOfProcessesThatExitedStayCountedAcrossRestarts() {
        this.contextRunner.withUserConfiguration(PingCat.class)
            .withPropertyValues("protoloop.endpoints.ping.restart.max-restarts=2",
                    "protoloop.endpoints.ping.restart.backoff=10ms")
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                ManagedEndpoint ping = context.getBean(EndpointRegistry.class).getEndpoint("ping");
                // Three processes (the first and two restarts), each given "ping" and echoing it.
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(ping.getState()).isEqualTo(ManagedEndpoint.State.FAILED);
                    assertThat(ping.getTransports()).isEmpty();
                    assertThat(ping.getExitedBytesSent()).isEqualTo(3 * 4);
                    assertThat(ping.getExitedBytesReceived()).isEqualTo(3 * 4);
                    assertThat(counter(registry, "protoloop.subprocess.exits", "ping")).isEqualTo(3);
                    assertThat(counter(registry, "protoloop.bytes.sent", "ping")).isEqualTo(3 * 4);
                    assertThat(counter(registry, "protoloop.bytes.received", "ping")).isEqualTo(3 * 4);
                    assertThat(gauge(registry, "protoloop.subprocesses.active", "ping")).isZero();
                });
                assertThat(gauge(registry, "protoloop.write.buffer.size", "ping")).isZero();
            });
    }

    @Test
    void slowCallbacksAndPendingTasksAreCountedPerLoop() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("protoloop.loop.debug=true", "protoloop.loop.slow-callback-duration=50ms")
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                EventLoop member = context.getBean(EventLoop.class).members().get(0);
                CountDownLatch release = new CountDownLatch(1);
                member.callSoon(() -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                });
                for (int i = 0; i < 100; i++) {
                    member.callSoon(() -> {
                    });
                }
                try {
                    assertThat(registry.get("protoloop.loop.tasks.pending").tag("loop", "0").gauge().value())
                        .isGreaterThanOrEqualTo(100);
                    await().atMost(WAIT).untilAsserted(() -> assertThat(lagSeconds(registry, 0)).isGreaterThan(0.1));
                }
                finally {
                    release.countDown();
                }
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(registry.get("protoloop.loop.slow.callbacks").functionCounter().count()).isPositive();
                    assertThat(registry.get("protoloop.loop.tasks.pending").tag("loop", "0").gauge().value())
                        .isLessThan(100);
                });
            });
    }

    @Test
    void prometheusScrapeContainsTheMeters() {
        this.contextRunner.withUserConfiguration(Echo.class).run((context) -> {
            try (Socket socket = ActuatorTestSupport.connect(port(context, "echo"))) {
                assertThat(roundTrip(socket, "scrape me")).isEqualTo("scrape me");
                PrometheusMeterRegistry prometheus = context.getBean(PrometheusMeterRegistry.class);
                // The sent count is recorded when the write completes, which the peer can see first.
                await().atMost(WAIT).untilAsserted(() -> assertThat(prometheus.scrape()).contains(
                        "protoloop_connections_active{endpoint=\"echo\"} 1",
                        "# TYPE protoloop_connections_total counter",
                        "protoloop_connections_total{endpoint=\"echo\"} 1.0",
                        "protoloop_bytes_received_bytes_total{endpoint=\"echo\"} 9.0",
                        "protoloop_bytes_sent_bytes_total{endpoint=\"echo\"} 9.0",
                        "protoloop_write_buffer_size_bytes{endpoint=\"echo\"} 0.0",
                        "protoloop_write_buffer_max_bytes{endpoint=\"echo\"} 0.0",
                        "protoloop_writing_paused{endpoint=\"echo\"} 0.0",
                        "protoloop_reading_paused{endpoint=\"echo\"} 0.0",
                        "# TYPE protoloop_loop_lag_seconds gauge", "protoloop_loop_lag_seconds{loop=\"0\"}",
                        "protoloop_loop_tasks_pending{loop=\"1\"}", "protoloop_loop_slow_callbacks_total 0.0"));
            }
        });
    }

    static double gauge(MeterRegistry registry, String name, String endpoint) {
        Gauge gauge = registry.get(name).tag("endpoint", endpoint).gauge();
        return gauge.value();
    }

    static double counter(MeterRegistry registry, String name, String endpoint) {
        FunctionCounter counter = registry.get(name).tag("endpoint", endpoint).functionCounter();
        return counter.count();
    }

    static double lagSeconds(MeterRegistry registry, int loop) {
        TimeGauge gauge = registry.get("protoloop.loop.lag").tag("loop", Integer.toString(loop)).timeGauge();
        return gauge.value(TimeUnit.SECONDS);
    }

    @ProtocolEndpoint(name = "exiting", transport = TransportKind.SUBPROCESS, shell = "exit 3",
            restart = RestartPolicy.NEVER)
    static class ExitingProcess implements SubprocessProtocol {

    }

    /** Writes a line to {@code cat}, which echoes it and keeps running. */
    @ProtocolEndpoint(name = "cat", transport = TransportKind.SUBPROCESS, command = "cat")
    static class HelloCat implements SubprocessProtocol {

        static final byte[] HELLO = "hello cat\n".getBytes(StandardCharsets.UTF_8);

        @Override
        public void connectionMade(SubprocessTransport transport) {
            ((WriteTransport) transport.getPipeTransport(0)).write(HELLO);
        }

    }

    /**
     * A child that never reads its stdin, given more than a tiny high-water mark, with its stdout
     * paused.
     */
    @ProtocolEndpoint(name = "stuffed", transport = TransportKind.SUBPROCESS, shell = "exec sleep 30")
    static class Stuffed implements SubprocessProtocol {

        static final int BYTES = 256 * 1024;

        @Override
        public void connectionMade(SubprocessTransport transport) {
            WriteTransport stdin = (WriteTransport) transport.getPipeTransport(0);
            stdin.write(new byte[BYTES]);
            ((ReadTransport) transport.getPipeTransport(1)).pauseReading();
        }

    }

    /** Gives {@code cat} "ping" and closes its stdin: cat echoes it and exits; always restarted. */
    @ProtocolEndpoint(name = "ping", transport = TransportKind.SUBPROCESS, command = "cat",
            restart = RestartPolicy.ALWAYS)
    static class PingCat implements SubprocessProtocol {

        @Override
        public void connectionMade(SubprocessTransport transport) {
            WriteTransport stdin = (WriteTransport) transport.getPipeTransport(0);
            stdin.write("ping".getBytes(StandardCharsets.UTF_8));
            stdin.writeEof();
        }

    }

}
