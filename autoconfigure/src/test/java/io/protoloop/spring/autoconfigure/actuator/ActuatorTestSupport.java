package io.protoloop.spring.autoconfigure.actuator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.spring.autoconfigure.ProtoloopAutoConfiguration;
import io.protoloop.testsupport.Sockets;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.SocketView;
import io.protoloop.transport.Transport;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * What the Actuator tests share: a context runner with protoloop, Micrometer (Prometheus), health and
 * the endpoint infrastructure, and the protocols they serve.
 */
final class ActuatorTestSupport {

    static final AutoConfigurations ACTUATOR = AutoConfigurations.of(ProtoloopAutoConfiguration.class,
            MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
            PrometheusMetricsExportAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
            AvailabilityHealthContributorAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
            AvailabilityProbesAutoConfiguration.class, EndpointAutoConfiguration.class,
            ProtoloopMetricsAutoConfiguration.class, ProtoloopHealthContributorAutoConfiguration.class,
            TransportsEndpointAutoConfiguration.class);

    /** How many bytes {@link Flood} writes for each byte it receives. */
    static final int FLOOD_BYTES = 4 * 1024 * 1024;

    private ActuatorTestSupport() {
    }

    static ApplicationContextRunner contextRunner() {
        return new ApplicationContextRunner().withConfiguration(ACTUATOR)
            .withPropertyValues("protoloop.loop.threads=2", "management.endpoints.web.exposure.include=*",
                    "management.endpoint.health.show-details=always");
    }

    static int port(org.springframework.context.ApplicationContext context, String endpoint) {
        return context.getEnvironment().getRequiredProperty("local.protoloop." + endpoint + ".port", Integer.class);
    }

    static Socket connect(int port) throws IOException {
        return Sockets.connect(new InetSocketAddress("127.0.0.1", port));
    }

    static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
        InputStream in = socket.getInputStream();
        return new String(Sockets.readExactly(in, bytes.length), StandardCharsets.UTF_8);
    }

    /** asyncio's echo server. */
    @ProtocolEndpoint(name = "echo", host = "127.0.0.1")
    static class Echo implements Protocol {

        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            this.transport.write(data);
        }

    }

    /**
     * Answers every byte with {@link #FLOOD_BYTES} bytes, and, as asyncio's streams do, stops reading
     * while its writing is paused. A small send buffer makes the write buffer fill quickly when the
     * client does not read.
     */
    @ProtocolEndpoint(name = "flood", host = "127.0.0.1")
    static class Flood implements Protocol {

        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            try {
                transport.<SocketView>getExtraInfo("socket").setOption(StandardSocketOptions.SO_SNDBUF, 8192);
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            for (int i = data.remaining(); i > 0; i--) {
                this.transport.write(new byte[FLOOD_BYTES]);
            }
        }

        @Override
        public void pauseWriting() {
            this.transport.pauseReading();
        }

        @Override
        public void resumeWriting() {
            this.transport.resumeReading();
        }

    }

    /** asyncio's UDP echo server. */
    @ProtocolEndpoint(name = "datagrams", transport = TransportKind.UDP, host = "127.0.0.1")
    static class DatagramEcho implements DatagramProtocol {

        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport transport) {
            this.transport = transport;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
            this.transport.sendto(data, addr);
        }

    }

}
