package io.protoloop.spring.autoconfigure;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.EndpointBindException;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Startup failures of endpoints and how {@link EndpointBindFailureAnalyzer} and
 * {@link InvalidEndpointFailureAnalyzer} describe them.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalyzersTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=1");

    @Test
    void tcpPortInUseNamesTheEndpointAndThePortProperty() throws Exception {
        try (ServerSocket occupied = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = occupied.getLocalPort();
            this.contextRunner.withUserConfiguration(EchoEndpoint.class)
                .withPropertyValues("protoloop.endpoints.echo.port=" + port)
                .run((context) -> {
                    FailureAnalysis analysis = bindFailure(context);
                    assertThat(analysis.getDescription()).isEqualTo("Protoloop endpoint 'echo' (TCP) failed to start. "
                            + "TCP port " + port + " (127.0.0.1:" + port + ") was already in use.");
                    assertThat(analysis.getAction()).contains("port " + port)
                        .contains("'protoloop.endpoints.echo.port'");
                });
        }
    }

    @Test
    void udpPortInUseNamesTheEndpointAndThePortProperty() throws Exception {
        try (DatagramSocket occupied = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = occupied.getLocalPort();
            this.contextRunner.withUserConfiguration(DatagramEndpoint.class)
                .withPropertyValues("protoloop.endpoints.datagrams.port=" + port)
                .run((context) -> {
                    FailureAnalysis analysis = bindFailure(context);
                    assertThat(analysis.getDescription()).contains("'datagrams' (UDP)")
                        .contains("UDP port " + port)
                        .contains("already in use");
                    assertThat(analysis.getAction()).contains("'protoloop.endpoints.datagrams.port'");
                });
        }
    }

    @Test
    void endpointsStartedBeforeAFailingOneAreClosed() throws Exception {
        try (ServerSocket occupied = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int free;
            // The datagram endpoint binds UDP, so the free port is found in UDP's port space.
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                free = probe.getLocalPort();
            }
            this.contextRunner.withUserConfiguration(DatagramEndpoint.class, EchoEndpoint.class)
                .withPropertyValues("protoloop.endpoints.datagrams.port=" + free,
                        "protoloop.endpoints.echo.port=" + occupied.getLocalPort())
                .run((context) -> {
                    assertThat(context).hasFailed();
                    try (DatagramSocket rebind = new DatagramSocket(new InetSocketAddress("127.0.0.1", free))) {
                        assertThat(rebind.getLocalPort()).isEqualTo(free);
                    }
                });
        }
    }

    @Test
    void unknownSslBundleNamesTheBundleTheEndpointAndTheProperty() {
        this.contextRunner.withUserConfiguration(TlsEndpoint.class).run((context) -> {
            FailureAnalysis analysis = invalidEndpoint(context);
            assertThat(analysis.getDescription()).contains("'secure' (TCP)").contains("SSL bundle 'missing'");
            assertThat(analysis.getAction()).contains("spring.ssl.bundle.jks.missing")
                .contains("'protoloop.endpoints.secure.ssl.bundle'");
        });
    }

    @Test
    void sslBundlePropertyIsLookedUpToo() {
        this.contextRunner.withUserConfiguration(EchoEndpoint.class)
            .withPropertyValues("protoloop.endpoints.echo.ssl.bundle=nowhere")
            .run((context) -> assertThat(invalidEndpoint(context).getDescription()).contains("SSL bundle 'nowhere'"));
    }

    @Test
    void protocolOfTheWrongKindNamesTheTransportAttributeAndTheFittingKind() {
        this.contextRunner.withUserConfiguration(MisdeclaredEndpoint.class).run((context) -> {
            FailureAnalysis analysis = invalidEndpoint(context);
            assertThat(analysis.getDescription()).contains("'misdeclared' (TCP)")
                .contains(MisdeclaredEndpoint.class.getName())
                .contains("does not implement io.protoloop.protocol.Protocol");
            assertThat(analysis.getAction()).contains("transport = TransportKind.UDP");
            InvalidEndpointException ex = (InvalidEndpointException) analysis.getCause();
            assertThat(ex.getProperty()).isEqualTo("the transport attribute of @ProtocolEndpoint on "
                    + MisdeclaredEndpoint.class.getName());
        });
    }

    @Test
    void subprocessWithoutCommandNamesTheCommandProperty() {
        this.contextRunner.withUserConfiguration(CommandlessEndpoint.class).run((context) -> {
            FailureAnalysis analysis = invalidEndpoint(context);
            assertThat(analysis.getDescription()).isEqualTo("Protoloop endpoint 'worker' (SUBPROCESS) has no "
                    + "command to run.");
            assertThat(analysis.getAction()).contains("'protoloop.endpoints.worker.command'")
                .contains("'protoloop.endpoints.worker.shell'");
        });
    }

    @Test
    void springApplicationReportsTheAnalysis(CapturedOutput output) throws Exception {
        try (ServerSocket occupied = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SpringApplication application = new SpringApplication(FailingApplication.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            assertThatException().isThrownBy(() -> application
                .run("--protoloop.loop.threads=1", "--protoloop.endpoints.echo.port=" + occupied.getLocalPort()));
            assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Protoloop endpoint 'echo' (TCP) failed to start. TCP port " + occupied.getLocalPort())
                .contains("'protoloop.endpoints.echo.port'");
        }
    }

    private static FailureAnalysis bindFailure(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis analysis = new EndpointBindFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis).isNotNull();
        assertThat(analysis.getCause()).isInstanceOf(EndpointBindException.class);
        return analysis;
    }

    private static FailureAnalysis invalidEndpoint(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        FailureAnalysis analysis = new InvalidEndpointFailureAnalyzer().analyze(context.getStartupFailure());
        assertThat(analysis).isNotNull();
        return analysis;
    }

    @ProtocolEndpoint(name = "echo", host = "127.0.0.1")
    static class EchoEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "datagrams", transport = TransportKind.UDP, host = "127.0.0.1")
    static class DatagramEndpoint implements DatagramProtocol {

    }

    @ProtocolEndpoint(name = "secure", host = "127.0.0.1", ssl = "missing")
    static class TlsEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "misdeclared", host = "127.0.0.1")
    static class MisdeclaredEndpoint implements DatagramProtocol {

    }

    @ProtocolEndpoint(name = "worker", transport = TransportKind.SUBPROCESS)
    static class CommandlessEndpoint implements SubprocessProtocol {

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(ProtoloopAutoConfiguration.class)
    @Import(EchoEndpoint.class)
    static class FailingApplication {

    }

}
