package io.protoloop.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.testsupport.Sockets;
import io.protoloop.transport.TransportStatistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * TLS endpoints served from Spring Boot SSL bundles ({@code ssl = "bundle"} or
 * {@code protoloop.endpoints.<name>.ssl.bundle}), with real handshakes through a running context.
 * The key material is made for the test: a CA, a server certificate for 127.0.0.1 it issued, a client
 * certificate it issued, and an unrelated CA, written as PEM files.
 */
class TlsEndpointTests {

    @TempDir
    static Path directory;

    static X509Bundle ca;

    static X509Bundle server;

    static X509Bundle client;

    static X509Bundle otherCa;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=1")
        .withBean(TestProtocols.Instances.class);

    @BeforeAll
    static void createKeyMaterial() throws Exception {
        ca = new CertificateBuilder().subject("CN=protoloop test CA").setIsCertificateAuthority(true).ecp256()
            .buildSelfSigned();
        server = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
            .addSanDnsName("localhost").addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(ca);
        client = new CertificateBuilder().subject("CN=client").addExtendedKeyUsageClientAuth().ecp256()
            .buildIssuedBy(ca);
        otherCa = new CertificateBuilder().subject("CN=someone else's CA").setIsCertificateAuthority(true).ecp256()
            .buildSelfSigned();
        Files.writeString(directory.resolve("server.crt"), server.getCertificatePathPEM());
        Files.writeString(directory.resolve("server.key"), server.getPrivateKeyPEM());
        Files.writeString(directory.resolve("ca.crt"), ca.getCertificatePEM());
    }

    /** A PEM bundle named {@code server}: the server's chain and key, and the CA to verify clients with. */
    private ApplicationContextRunner withBundle() {
        return this.contextRunner.withPropertyValues(
                "spring.ssl.bundle.pem.server.keystore.certificate=" + location("server.crt"),
                "spring.ssl.bundle.pem.server.keystore.private-key=" + location("server.key"),
                "spring.ssl.bundle.pem.server.truststore.certificate=" + location("ca.crt"));
    }

    private static String location(String file) {
        return "file:" + directory.resolve(file);
    }

    @Test
    void servesTlsFromAPemBundle() {
        withBundle().withUserConfiguration(TlsEchoEndpoint.class).run((context) -> {
            try (SSLSocket socket = connect(context, ca, null)) {
                socket.startHandshake();
                X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                assertThat(peer.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
                assertThat(roundTrip(socket, "over tls")).isEqualTo("over tls");
                ManagedEndpoint secure = context.getBean(EndpointRegistry.class).getEndpoint("secure");
                assertThat(secure.getSslBundle()).isEqualTo("server");
                assertThat(secure.getTransports()).singleElement()
                    .satisfies((transport) -> assertThat(((TransportStatistics) transport).snapshot().tls()).isTrue());
            }
        });
    }

    @Test
    void clientThatDoesNotTrustTheServerFailsWhileTheEndpointKeepsServing() {
        withBundle().withUserConfiguration(TlsEchoEndpoint.class).run((context) -> {
            try (SSLSocket stranger = connect(context, otherCa, null)) {
                assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(stranger::startHandshake);
            }
            ManagedEndpoint secure = context.getBean(EndpointRegistry.class).getEndpoint("secure");
            assertThat(secure.getState()).isEqualTo(ManagedEndpoint.State.RUNNING);
            await().atMost(Duration.ofSeconds(20))
                .until(() -> secure.getServerStatistics().handshakeFailures() == 1);
            assertThat(secure.getServerStatistics().connectionsTotal()).isZero();
            try (SSLSocket trusting = connect(context, ca, null)) {
                assertThat(roundTrip(trusting, "still serving")).isEqualTo("still serving");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> secure.getTransports().isEmpty());
        });
    }

    @Test
    void clientAuthRequireRejectsClientsWithoutACertificateAndAcceptsOnesTheCaIssued() {
        withBundle().withUserConfiguration(TlsEchoEndpoint.class)
            .withPropertyValues("protoloop.endpoints.secure.ssl.client-auth=require")
            .run((context) -> {
                try (SSLSocket anonymous = connect(context, ca, null)) {
                    // TLS 1.3 reports the server's alert on the client's first read after the handshake.
                    assertThatExceptionOfType(IOException.class).isThrownBy(() -> roundTrip(anonymous, "who?"));
                }
                try (SSLSocket known = connect(context, ca, client)) {
                    assertThat(roundTrip(known, "it's me")).isEqualTo("it's me");
                }
            });
    }

    @Test
    void clientAuthOptionalAcceptsClientsWithAndWithoutACertificate() {
        withBundle().withUserConfiguration(TlsEchoEndpoint.class)
            .withPropertyValues("protoloop.endpoints.secure.ssl.client-auth=optional")
            .run((context) -> {
                try (SSLSocket anonymous = connect(context, ca, null);
                        SSLSocket known = connect(context, ca, client)) {
                    assertThat(roundTrip(anonymous, "anonymous")).isEqualTo("anonymous");
                    assertThat(roundTrip(known, "known")).isEqualTo("known");
                }
            });
    }

    @Test
    void bundleOptionsRestrictTheProtocols() {
        withBundle().withUserConfiguration(TlsEchoEndpoint.class)
            .withPropertyValues("spring.ssl.bundle.pem.server.options.enabled-protocols=TLSv1.2")
            .run((context) -> {
                try (SSLSocket socket = connect(context, ca, null)) {
                    assertThat(roundTrip(socket, "1.2")).isEqualTo("1.2");
                    assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
                }
            });
    }

    @Test
    void unknownBundleFailsStartup() {
        withBundle().withUserConfiguration(TlsEchoEndpoint.class)
            .withPropertyValues("protoloop.endpoints.secure.ssl.bundle=nowhere")
            .run((context) -> {
                InvalidEndpointException ex = ProtocolEndpointPropertiesTests.invalid(context);
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.secure.ssl.bundle");
                assertThat(ex.getDescription()).contains("SSL bundle 'nowhere'").contains("no such bundle");
            });
    }

    @Test
    void bundleWithoutAKeyStoreFailsStartup() {
        this.contextRunner.withUserConfiguration(TlsEchoEndpoint.class)
            .withPropertyValues("spring.ssl.bundle.pem.server.truststore.certificate=" + location("ca.crt"))
            .run((context) -> assertThat(ProtocolEndpointPropertiesTests.invalid(context).getDescription())
                .contains("SSL bundle 'server'")
                .contains("no key store"));
    }

    @Test
    void clientAuthNeedsABundleWithATrustStore() {
        this.contextRunner.withUserConfiguration(TlsEchoEndpoint.class)
            .withPropertyValues("spring.ssl.bundle.pem.server.keystore.certificate=" + location("server.crt"),
                    "spring.ssl.bundle.pem.server.keystore.private-key=" + location("server.key"),
                    "protoloop.endpoints.secure.ssl.client-auth=require")
            .run((context) -> {
                InvalidEndpointException ex = ProtocolEndpointPropertiesTests.invalid(context);
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.secure.ssl.client-auth");
                assertThat(ex.getDescription()).contains("trust store");
            });
        this.contextRunner.withUserConfiguration(PlainEndpoint.class)
            .withPropertyValues("protoloop.endpoints.plain.ssl.client-auth=optional")
            .run((context) -> assertThat(ProtocolEndpointPropertiesTests.invalid(context).getDescription())
                .contains("client-auth optional needs TLS"));
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
            .withBean(TestProtocols.Instances.class)
            .withUserConfiguration(TlsEchoEndpoint.class)
            .run((context) -> assertThat(ProtocolEndpointPropertiesTests.invalid(context).getDescription())
                .contains("no SslBundles bean"));
    }

    /** A client socket to the {@code secure} endpoint that verifies the server against {@code trusted}. */
    private static SSLSocket connect(AssertableApplicationContext context, X509Bundle trusted, X509Bundle identity)
            throws Exception {
        assertThat(context).hasNotFailed();
        int port = context.getEnvironment().getProperty("local.protoloop.secure.port", Integer.class);
        KeyManager[] keyManagers = null;
        if (identity != null) {
            char[] password = "secret".toCharArray();
            KeyStore keyStore = identity.toKeyStore(password);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keyStore, password);
            keyManagers = factory.getKeyManagers();
        }
        SSLContext sslContext = SSLContext.getInstance("TLS");
        sslContext.init(keyManagers, trusted.toTrustManagerFactory().getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) sslContext.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        return socket;
    }

    private static String roundTrip(SSLSocket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(Sockets.readExactly(in, bytes.length), StandardCharsets.UTF_8);
    }

    @ProtocolEndpoint(name = "secure", host = "127.0.0.1", ssl = "${bundle.name:server}")
    static class TlsEchoEndpoint extends TestProtocols.Echo {

        TlsEchoEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @ProtocolEndpoint(name = "plain", host = "127.0.0.1")
    static class PlainEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "datagrams", transport = TransportKind.UDP, host = "127.0.0.1")
    static class DatagramEndpoint implements DatagramProtocol {

    }

}
