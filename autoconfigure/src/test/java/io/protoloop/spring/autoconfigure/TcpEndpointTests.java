package io.protoloop.spring.autoconfigure;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.spring.EndpointDefinition;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.testsupport.Sockets;
import io.protoloop.transport.Transport;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TCP endpoints served through a running context, with real sockets.
 */
class TcpEndpointTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=2")
        .withBean(TestProtocols.Instances.class);

    @Test
    void annotatedProtocolServesEveryConnectionWithItsOwnInjectedInstance() {
        this.contextRunner.withUserConfiguration(EchoEndpoint.class).run((context) -> {
            int port = context.getEnvironment().getProperty("local.protoloop.echo.port", Integer.class);
            assertThat(port).isPositive();
            try (Socket first = Sockets.connect(new InetSocketAddress("127.0.0.1", port));
                    Socket second = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(roundTrip(first, "hello")).isEqualTo("hello");
                assertThat(roundTrip(second, "world")).isEqualTo("world");
                assertThat(context.getBean(TestProtocols.Instances.class).count()).isEqualTo(2);
                ManagedEndpoint echo = context.getBean(EndpointRegistry.class).getEndpoint("echo");
                assertThat(echo.getKind()).isEqualTo(TransportKind.TCP);
                assertThat(echo.getState()).isEqualTo(ManagedEndpoint.State.RUNNING);
                assertThat(echo.getAddresses()).singleElement()
                    .isEqualTo(new InetSocketAddress("127.0.0.1", port));
                assertThat(echo.getTransports()).hasSize(2).allSatisfy((t) -> assertThat(t).isInstanceOf(Transport.class));
            }
            ManagedEndpoint echo = context.getBean(EndpointRegistry.class).getEndpoint("echo");
            await().atMost(Duration.ofSeconds(20)).until(() -> echo.getTransports().isEmpty());
        });
    }

    @Test
    void endpointDefinitionBeanServesWithoutTheAnnotation() {
        this.contextRunner.withUserConfiguration(DefinitionConfiguration.class).run((context) -> {
            int port = context.getEnvironment().getProperty("local.protoloop.shout.port", Integer.class);
            try (Socket socket = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(roundTrip(socket, "hi")).isEqualTo("HI");
            }
            assertThat(context.getBean(EndpointRegistry.class).getEndpoints()).extracting(ManagedEndpoint::getName)
                .containsExactly("shout");
        });
    }

    @Test
    void bufferedProtocolIsATcpProtocol() {
        this.contextRunner.withUserConfiguration(BufferedEchoEndpoint.class).run((context) -> {
            int port = context.getEnvironment().getProperty("local.protoloop.buffered.port", Integer.class);
            try (Socket socket = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(roundTrip(socket, "zero-copy")).isEqualTo("zero-copy");
            }
        });
    }

    @Test
    void endpointsBindAgainWhenTheContextRestarts() {
        this.contextRunner.withUserConfiguration(EchoEndpoint.class).run((context) -> {
            ManagedEndpoint echo = context.getBean(EndpointRegistry.class).getEndpoint("echo");
            context.stop();
            assertThat(echo.getState()).isEqualTo(ManagedEndpoint.State.STOPPED);
            assertThat(echo.getAddresses()).isEmpty();
            context.start();
            int port = context.getEnvironment().getProperty("local.protoloop.echo.port", Integer.class);
            try (Socket socket = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(roundTrip(socket, "again")).isEqualTo("again");
            }
        });
    }

    @Test
    void endpointsAreBoundBeforeTheApplicationReportsReady() throws Exception {
        SpringApplication application = new SpringApplication(ReadyApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        List<String> seenWhenReady = new ArrayList<>();
        application.addListeners((ApplicationListener<ApplicationReadyEvent>) (event) -> {
            ManagedEndpoint echo = event.getApplicationContext().getBean(EndpointRegistry.class).getEndpoint("echo");
            seenWhenReady.add(echo.getState() + " " + event.getApplicationContext()
                .getEnvironment()
                .getProperty("local.protoloop.echo.port"));
        });
        try (ConfigurableApplicationContext context = application.run("--protoloop.loop.threads=1")) {
            int port = context.getEnvironment().getProperty("local.protoloop.echo.port", Integer.class);
            assertThat(seenWhenReady).containsExactly("RUNNING " + port);
            try (Socket socket = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(roundTrip(socket, "ready")).isEqualTo("ready");
            }
        }
    }

    static String roundTrip(Socket socket, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(Sockets.readExactly(in, bytes.length), StandardCharsets.UTF_8);
    }

    @ProtocolEndpoint(name = "echo", host = "127.0.0.1")
    static class EchoEndpoint extends TestProtocols.Echo {

        EchoEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @ProtocolEndpoint(name = "buffered", host = "127.0.0.1")
    static class BufferedEchoEndpoint implements BufferedProtocol {

        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1024);

        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public ByteBuffer getBuffer(int sizehint) {
            return this.buffer.clear();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            this.transport.write(this.buffer.limit(nbytes));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(ProtoloopAutoConfiguration.class)
    @Import({ TestProtocols.Instances.class, EchoEndpoint.class })
    static class ReadyApplication {

    }

    @Configuration(proxyBeanMethods = false)
    static class DefinitionConfiguration {

        @Bean
        EndpointDefinition shoutEndpoint() {
            return EndpointDefinition.tcp("shout", ShoutProtocol::new).host("127.0.0.1").build();
        }

    }

    static class ShoutProtocol implements io.protoloop.protocol.Protocol {

        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            this.transport.write(new String(bytes, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
        }

    }

}
