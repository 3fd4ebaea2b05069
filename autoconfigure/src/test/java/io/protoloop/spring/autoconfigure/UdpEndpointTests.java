package io.protoloop.spring.autoconfigure;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.DatagramTransport;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP endpoints served through a running context, with real sockets.
 */
class UdpEndpointTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=2")
        .withBean(TestProtocols.Instances.class)
        .withUserConfiguration(DatagramEchoEndpoint.class);

    @Test
    void datagramEndpointHasOneTransportAndOneProtocolForEverySender() {
        this.contextRunner.run((context) -> {
            int port = context.getEnvironment().getProperty("local.protoloop.udp-echo.port", Integer.class);
            assertThat(port).isPositive();
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
            try (DatagramSocket first = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                    DatagramSocket second = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                assertThat(roundTrip(first, server, "ping")).isEqualTo("ping");
                assertThat(roundTrip(second, server, "pong")).isEqualTo("pong");
                assertThat(roundTrip(first, server, "again")).isEqualTo("again");
            }
            assertThat(context.getBean(TestProtocols.Instances.class).count()).isEqualTo(1);
            ManagedEndpoint endpoint = context.getBean(EndpointRegistry.class).getEndpoint("udp-echo");
            assertThat(endpoint.getKind()).isEqualTo(TransportKind.UDP);
            assertThat(endpoint.getAddresses()).singleElement().isEqualTo(server);
            assertThat(endpoint.getTransports()).singleElement().isInstanceOf(DatagramTransport.class);
        });
    }

    @Test
    void propertiesOverrideTheAttributes() {
        this.contextRunner.withPropertyValues("protoloop.endpoints.udp-echo.host=localhost").run((context) -> {
            ManagedEndpoint endpoint = context.getBean(EndpointRegistry.class).getEndpoint("udp-echo");
            InetSocketAddress bound = (InetSocketAddress) endpoint.getAddresses().get(0);
            assertThat(bound.getAddress().isLoopbackAddress()).isTrue();
        });
    }

    @Test
    void shutdownClosesTheEndpoint() {
        ManagedEndpoint[] endpoint = new ManagedEndpoint[1];
        this.contextRunner.run((context) -> endpoint[0] = context.getBean(EndpointRegistry.class).getEndpoint("udp-echo"));
        assertThat(endpoint[0].getState()).isEqualTo(ManagedEndpoint.State.STOPPED);
        assertThat(endpoint[0].getTransports()).isEmpty();
    }

    private static String roundTrip(DatagramSocket socket, InetSocketAddress server, String text) throws Exception {
        socket.setSoTimeout(20_000);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, server));
        DatagramPacket reply = new DatagramPacket(new byte[1024], 1024);
        socket.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    @ProtocolEndpoint(name = "udp-echo", transport = TransportKind.UDP, host = "127.0.0.1")
    static class DatagramEchoEndpoint extends TestProtocols.DatagramEcho {

        DatagramEchoEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

}
