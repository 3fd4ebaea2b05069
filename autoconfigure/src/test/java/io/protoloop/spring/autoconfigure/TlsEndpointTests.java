package io.protoloop.spring.autoconfigure;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS endpoints from Spring Boot SSL bundles ({@code ssl = "bundle"} or
 * {@code protoloop.endpoints.<name>.ssl.bundle}).
 */
class TlsEndpointTests {

    @TempDir
    static Path directory;

    static Path keystore;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=1");

    @BeforeAll
    static void createKeystore() throws Exception {
        keystore = directory.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "server",
                "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", "secret", "-keypass", "secret"))
            .redirectErrorStream(true)
            .start();
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    private ApplicationContextRunner withBundle() {
        return this.contextRunner.withPropertyValues(
                "spring.ssl.bundle.jks.server.keystore.location=file:" + keystore,
                "spring.ssl.bundle.jks.server.keystore.password=secret",
                "spring.ssl.bundle.jks.server.keystore.type=PKCS12");
    }

    @Test
    void bundleIsLookedUpAndTlsWaitsForCoreSupport() {
        withBundle().withUserConfiguration(TlsEndpoint.class).run((context) -> {
            InvalidEndpointException ex = ProtocolEndpointPropertiesTests.invalid(context);
            assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.secure.ssl.bundle");
            assertThat(ex.getDescription()).contains("SSL bundle 'server'").contains("cannot serve TLS yet");
        });
    }

    @Test
    void datagramEndpointsCannotServeTls() {
        withBundle().withUserConfiguration(DatagramEndpoint.class)
            .withPropertyValues("protoloop.endpoints.datagrams.ssl.bundle=server")
            .run((context) -> {
                InvalidEndpointException ex = ProtocolEndpointPropertiesTests.invalid(context);
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.datagrams.ssl.bundle");
                assertThat(ex.getDescription()).contains("UDP endpoints cannot serve TLS");
            });
    }

    @Test
    void bundleNeedsSslAutoConfiguration() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class))
            .withPropertyValues("protoloop.loop.threads=1")
            .withUserConfiguration(TlsEndpoint.class)
            .run((context) -> assertThat(ProtocolEndpointPropertiesTests.invalid(context).getDescription())
                .contains("no SslBundles bean"));
    }

    @ProtocolEndpoint(name = "secure", host = "127.0.0.1", ssl = "${bundle.name:server}")
    static class TlsEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "datagrams", transport = TransportKind.UDP, host = "127.0.0.1")
    static class DatagramEndpoint implements DatagramProtocol {

    }

}
