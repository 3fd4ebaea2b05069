package io.protoloop.spring.autoconfigure.actuator;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Echo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code protoloop.tls.handshake.failures}: the connections a TLS endpoint refused before any protocol
 * saw them.
 */
class TlsMetricsTests {

    @TempDir
    static Path directory;

    private final ApplicationContextRunner contextRunner = ActuatorTestSupport.contextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class));

    @BeforeAll
    static void createKeyMaterial() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=protoloop test CA").setIsCertificateAuthority(true)
            .ecp256()
            .buildSelfSigned();
        X509Bundle server = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageServerAuth()
            .ecp256()
            .buildIssuedBy(ca);
        Files.writeString(directory.resolve("server.crt"), server.getCertificatePathPEM());
        Files.writeString(directory.resolve("server.key"), server.getPrivateKeyPEM());
    }

    @Test
    void aPlaintextClientOnATlsEndpointCountsAsAFailedHandshake() {
        this.contextRunner.withUserConfiguration(SecureEcho.class, Echo.class)
            .withPropertyValues("spring.ssl.bundle.pem.server.keystore.certificate=file:" + directory.resolve("server.crt"),
                    "spring.ssl.bundle.pem.server.keystore.private-key=file:" + directory.resolve("server.key"))
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(ProtoloopMetricsTests.counter(registry, "protoloop.tls.handshake.failures", "secure"))
                    .isZero();
                try (Socket plaintext = ActuatorTestSupport.connect(port(context, "secure"))) {
                    plaintext.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    drainUntilClosed(plaintext.getInputStream());
                }
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(ProtoloopMetricsTests
                    .counter(registry, "protoloop.tls.handshake.failures", "secure")).isEqualTo(1));
                assertThat(ProtoloopMetricsTests.counter(registry, "protoloop.connections.total", "secure")).isZero();
                // A plain endpoint has no handshakes to count, so no such meter.
                assertThat(registry.find("protoloop.tls.handshake.failures").tag("endpoint", "echo").meters())
                    .isEmpty();
            });
    }

    private static void drainUntilClosed(InputStream in) throws Exception {
        try {
            in.readAllBytes();
        }
        catch (SocketException reset) {
            // The server may reset rather than close: closed all the same.
        }
    }

    @ProtocolEndpoint(name = "secure", host = "127.0.0.1", ssl = "server")
    static class SecureEcho extends Echo {

    }

}
