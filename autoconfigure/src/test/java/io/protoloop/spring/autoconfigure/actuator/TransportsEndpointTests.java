package io.protoloop.spring.autoconfigure.actuator;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.protoloop.EventLoop;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.spring.actuator.TransportsEndpoint;
import io.protoloop.spring.actuator.TransportsEndpoint.EndpointDescriptor;
import io.protoloop.spring.actuator.TransportsEndpoint.LimitsDescriptor;
import io.protoloop.spring.actuator.TransportsEndpoint.TransportDescriptor;
import io.protoloop.spring.actuator.TransportsEndpoint.TransportsDescriptor;
import io.protoloop.spring.actuator.WritableTransportsEndpoint;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.DatagramEcho;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Echo;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.port;
import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/transports} through a running context (the endpoint bean, as the Actuator calls
 * it; {@link ActuatorHttpTests} goes through HTTP).
 */
class TransportsEndpointTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner contextRunner = ActuatorTestSupport.contextRunner();

    @Test
    void listsEveryEndpointAndLiveTransportWithItsState() {
        this.contextRunner.withUserConfiguration(Echo.class, DatagramEcho.class).run((context) -> {
            TransportsEndpoint endpoint = context.getBean(TransportsEndpoint.class);
            int port = port(context, "echo");
            List<Socket> clients = open(port, 3);
            try {
                TransportsDescriptor report = endpoint.transports(null, null, null);
                assertThat(report.endpoints()).extracting(EndpointDescriptor::name).containsExactly("echo", "datagrams");
                EndpointDescriptor echo = report.endpoints().get(0);
                assertThat(echo.kind()).isEqualTo("TCP");
                assertThat(echo.state()).isEqualTo("RUNNING");
                assertThat(echo.addresses()).containsExactly("127.0.0.1:" + port);
                assertThat(echo.transports()).isEqualTo(3);
                assertThat(echo.server().connectionsActive()).isEqualTo(3);
                assertThat(echo.server().connectionsTotal()).isEqualTo(3);
                assertThat(echo.server().bytesReceived()).isEqualTo(3);
                assertThat(echo.sslBundle()).isNull();
                assertThat(echo.processes()).isNull();
                EndpointDescriptor datagrams = report.endpoints().get(1);
                assertThat(datagrams.kind()).isEqualTo("UDP");
                assertThat(datagrams.server()).isNull();
                assertThat(report.total()).isEqualTo(4);
                assertThat(report.count()).isEqualTo(4);
                assertThat(report.offset()).isZero();
                assertThat(report.truncated()).isFalse();
                List<TransportDescriptor> transports = report.transports();
                assertThat(transports).extracting(TransportDescriptor::endpoint)
                    .containsExactly("echo", "echo", "echo", "datagrams");
                // Creation order within an endpoint.
                assertThat(transports.subList(0, 3)).extracting((t) -> Long.parseLong(t.id())).isSorted();
                for (int i = 0; i < 3; i++) {
                    TransportDescriptor t = transports.get(i);
                    assertThat(t.kind()).isEqualTo("tcp");
                    assertThat(t.peername()).isEqualTo("127.0.0.1:" + clients.get(i).getLocalPort());
                    assertThat(t.sockname()).isEqualTo("127.0.0.1:" + port);
                    assertThat(t.tls()).isFalse();
                    assertThat(t.reading()).isTrue();
                    assertThat(t.readingPaused()).isFalse();
                    assertThat(t.writingPaused()).isFalse();
                    assertThat(t.closing()).isFalse();
                    assertThat(t.writeBufferSize()).isZero();
                    assertThat(t.writeBufferLimits()).isEqualTo(new LimitsDescriptor(16384, 65536));
                    assertThat(t.bytesReceived()).isEqualTo(1);
                    assertThat(t.bytesSent()).isEqualTo(1);
                    assertThat(t.datagrams()).isNull();
                    assertThat(t.openedAt()).isNotNull();
                    assertThat(t.ageSeconds()).isNotNegative();
                    assertThat(t.process()).isNull();
                    assertThat(t.exact()).isTrue();
                }
                TransportDescriptor udp = transports.get(3);
                assertThat(udp.kind()).isEqualTo("udp");
                assertThat(udp.sockname()).isEqualTo("127.0.0.1:" + port(context, "datagrams"));
                assertThat(udp.peername()).isNull();
                assertThat(udp.datagrams()).isNotNull();

                TransportDescriptor one = endpoint.transport(transports.get(1).id());
                assertThat(one.peername()).isEqualTo(transports.get(1).peername());
                assertThat(endpoint.transport("999999")).isNull();
                assertThat(endpoint.transport("not-an-id")).isNull();
            }
            finally {
                close(clients);
            }
        });
    }

    @Test
    void subprocessTransportsAreListedWithTheirProcess() {
        this.contextRunner.withUserConfiguration(Sleeper.class).run((context) -> {
            TransportsEndpoint endpoint = context.getBean(TransportsEndpoint.class);
            long pid = context.getBean(EndpointRegistry.class).getEndpoint("sleeper").getPid();
            TransportsDescriptor report = endpoint.transports(null, null, null);
            assertThat(report.endpoints()).singleElement().satisfies((sleeper) -> {
                assertThat(sleeper.kind()).isEqualTo("SUBPROCESS");
                assertThat(sleeper.processes().pid()).isEqualTo(pid);
                assertThat(sleeper.processes().restarts()).isZero();
                assertThat(sleeper.processes().exits()).isZero();
                assertThat(sleeper.server()).isNull();
            });
            TransportDescriptor process = report.transports().get(0);
            assertThat(process.kind()).isEqualTo("subprocess");
            assertThat(process.endpoint()).isEqualTo("sleeper");
            assertThat(process.process().pid()).isEqualTo(pid);
            assertThat(process.process().returncode()).isNull();
            assertThat(process.process().restarts()).isZero();
            // Core's transport id, like every other transport's; the pid is in process.
            assertThat(Long.parseLong(process.id())).isPositive();
            assertThat(process.exact()).isTrue();
            assertThat(process.closing()).isFalse();
            assertThat(process.reading()).isTrue();
            assertThat(process.readingPaused()).isFalse();
            assertThat(process.writingPaused()).isFalse();
            assertThat(process.writeBufferSize()).isZero();
            assertThat(process.writeBufferLimits()).isEqualTo(new LimitsDescriptor(16384, 65536));
            assertThat(process.bytesReceived()).isZero();
            assertThat(process.bytesSent()).isZero();
            assertThat(process.datagrams()).isNull();
            assertThat(process.peername()).isNull();
            assertThat(process.sockname()).isNull();
            assertThat(process.openedAt()).isNotNull();
            assertThat(process.ageSeconds()).isNotNegative();
            TransportDescriptor one = endpoint.transport(process.id());
            assertThat(one).isNotNull();
            assertThat(one.process().pid()).isEqualTo(pid);
            assertThat(endpoint.transport("pid-" + pid)).isNull();
        });
    }

    @Test
    void outputIsCappedWithTheTotalAndPagesThroughTheRest() {
        this.contextRunner.withUserConfiguration(Echo.class, DatagramEcho.class)
            .withPropertyValues("protoloop.actuator.transports.max-transports=5")
            .run((context) -> {
                TransportsEndpoint endpoint = context.getBean(TransportsEndpoint.class);
                List<Socket> clients = open(port(context, "echo"), 12);
                try {
                    TransportsDescriptor first = endpoint.transports(null, null, null);
                    assertThat(first.total()).isEqualTo(13);
                    assertThat(first.count()).isEqualTo(5);
                    assertThat(first.transports()).hasSize(5);
                    assertThat(first.truncated()).isTrue();
                    TransportsDescriptor last = endpoint.transports(null, 10, null);
                    assertThat(last.offset()).isEqualTo(10);
                    assertThat(last.transports()).extracting(TransportDescriptor::endpoint)
                        .containsExactly("echo", "echo", "datagrams");
                    assertThat(last.truncated()).isFalse();
                    assertThat(endpoint.transports(null, 100, null).transports()).isEmpty();
                    // A limit above the cap is capped; one below it is kept.
                    assertThat(endpoint.transports(null, null, 50).count()).isEqualTo(5);
                    assertThat(endpoint.transports("echo", 0, 2).transports()).hasSize(2);
                    TransportsDescriptor datagrams = endpoint.transports("datagrams", null, null);
                    assertThat(datagrams.endpoints()).extracting(EndpointDescriptor::name).containsExactly("datagrams");
                    assertThat(datagrams.total()).isEqualTo(1);
                    // Pages do not overlap.
                    List<String> ids = new ArrayList<>();
                    for (int offset = 0; offset < 13; offset += 5) {
                        endpoint.transports(null, offset, null).transports().forEach((t) -> ids.add(t.id()));
                    }
                    assertThat(ids).hasSize(13).doesNotHaveDuplicates();
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                        .isThrownBy(() -> endpoint.transports("nowhere", null, null))
                        .withMessageContaining("'nowhere'")
                        .withMessageContaining("echo");
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                        .isThrownBy(() -> endpoint.transports(null, -1, null));
                }
                finally {
                    close(clients);
                }
            });
    }

    @Test
    void aBlockedLoopIsReportedFromRecentValuesAfterTheSnapshotTimeout() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("protoloop.loop.threads=1", "protoloop.actuator.transports.snapshot-timeout=200ms")
            .run((context) -> {
                TransportsEndpoint endpoint = context.getBean(TransportsEndpoint.class);
                List<Socket> clients = open(port(context, "echo"), 1);
                CountDownLatch release = new CountDownLatch(1);
                try {
                    context.getBean(EventLoop.class).callSoon(() -> {
                        try {
                            release.await(20, TimeUnit.SECONDS);
                        }
                        catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    long start = System.nanoTime();
                    TransportsDescriptor report = endpoint.transports(null, null, null);
                    // The loop stays blocked for 20 s: returning well before shows the snapshot timeout.
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
                    assertThat(report.transports()).singleElement().satisfies((t) -> {
                        assertThat(t.exact()).isFalse();
                        assertThat(t.bytesReceived()).isEqualTo(1);
                    });
                }
                finally {
                    release.countDown();
                    close(clients);
                }
                await().atMost(WAIT).until(() -> endpoint.transports(null, null, null).transports().isEmpty());
            });
    }

    @Test
    void writeOperationsAreOffByDefault() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .run((context) -> assertThat(context).hasSingleBean(TransportsEndpoint.class)
                .doesNotHaveBean(WritableTransportsEndpoint.class));
    }

    @Test
    void writeOperationsNeedSpringSecurity() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .withClassLoader(new FilteredClassLoader("org.springframework.security"))
            .withPropertyValues("protoloop.actuator.transports.write-operations.enabled=true")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining("protoloop.actuator.transports.write-operations.enabled")
                    .hasMessageContaining("Spring Security");
            });
    }

    @Test
    void writeOperationsChangeLimitsCloseAndAbortTransports() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("protoloop.actuator.transports.write-operations.enabled=true")
            .run((context) -> {
                WritableTransportsEndpoint endpoint = context.getBean(WritableTransportsEndpoint.class);
                List<Socket> clients = open(port(context, "echo"), 2);
                try {
                    List<TransportDescriptor> transports = endpoint.transports(null, null, null).transports();
                    String first = transports.get(0).id();
                    String second = transports.get(1).id();

                    TransportDescriptor limited = endpoint.update(first, "limits", 1024, null);
                    assertThat(limited.writeBufferLimits()).isEqualTo(new LimitsDescriptor(256, 1024));
                    assertThat(endpoint.transport(first).writeBufferLimits()).isEqualTo(new LimitsDescriptor(256, 1024));
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                        .isThrownBy(() -> endpoint.update(first, "limits", 10, 20))
                        .withMessageContaining("Invalid write-buffer limits");
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                        .isThrownBy(() -> endpoint.update(first, "limits", null, null));
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                        .isThrownBy(() -> endpoint.update(first, "explode", null, null))
                        .withMessageContaining("close, abort or limits");
                    assertThat(endpoint.update("999999", "close", null, null)).isNull();

                    TransportDescriptor closing = endpoint.update(first, "close", null, null);
                    assertThat(closing.closing()).isTrue();
                    assertThat(readToEnd(clients.get(0).getInputStream())).isEqualTo(-1);

                    endpoint.update(second, "abort", null, null);
                    assertThat(readToEnd(clients.get(1).getInputStream())).isEqualTo(-1);
                    await().atMost(WAIT).until(() -> endpoint.transports(null, null, null).total() == 0);
                }
                finally {
                    close(clients);
                }
            });
    }

    @Test
    void theEndpointExistsOnlyWhenExposed() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("management.endpoints.web.exposure.include=health")
            .run((context) -> assertThat(context).doesNotHaveBean(TransportsEndpoint.class));
    }

    @ProtocolEndpoint(name = "sleeper", transport = TransportKind.SUBPROCESS, shell = "exec sleep 30")
    static class Sleeper implements SubprocessProtocol {

    }

    /** Reads until the peer closes or resets the connection; -1 then. */
    private static int readToEnd(InputStream in) throws Exception {
        try {
            while (in.read() != -1) {
                // drain
            }
            return -1;
        }
        catch (java.net.SocketException ex) {
            return -1;
        }
    }

    private static List<Socket> open(int port, int count) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = ActuatorTestSupport.connect(port);
            socket.setSoTimeout(10_000);
            sockets.add(socket);
            assertThat(roundTrip(socket, "x")).isEqualTo("x");
        }
        return sockets;
    }

    private static void close(List<Socket> sockets) throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

}
