package io.protoloop.spring.autoconfigure;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unix domain socket endpoints served through a running context, with real sockets.
 */
class UnixEndpointTests {

    @TempDir
    Path directory;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=2")
        .withBean(TestProtocols.Instances.class)
        .withUserConfiguration(UnixEchoEndpoint.class);

    @Test
    void unixEndpointServesEveryConnectionWithItsOwnProtocolAndRemovesItsSocketFile() {
        Path socket = this.directory.resolve("echo.sock");
        this.contextRunner.withPropertyValues("echo.socket=" + socket).run((context) -> {
            assertThat(context.getEnvironment().getProperty("local.protoloop.unix-echo.path")).isEqualTo(socket.toString());
            assertThat(roundTrip(socket, "over a socket file")).isEqualTo("over a socket file");
            assertThat(roundTrip(socket, "twice")).isEqualTo("twice");
            assertThat(context.getBean(TestProtocols.Instances.class).count()).isEqualTo(2);
            ManagedEndpoint endpoint = context.getBean(EndpointRegistry.class).getEndpoint("unix-echo");
            assertThat(endpoint.getKind()).isEqualTo(TransportKind.UNIX);
            assertThat(endpoint.getAddresses()).singleElement().isEqualTo(UnixDomainSocketAddress.of(socket));
        });
        assertThat(Files.exists(socket)).isFalse();
    }

    @Test
    void pathPropertyOverridesTheAttribute() {
        Path socket = this.directory.resolve("other.sock");
        this.contextRunner.withPropertyValues("echo.socket=" + this.directory.resolve("unused.sock"),
                "protoloop.endpoints.unix-echo.path=" + socket)
            .run((context) -> assertThat(roundTrip(socket, "moved")).isEqualTo("moved"));
    }

    private static String roundTrip(Path socket, String text) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(bytes));
            ByteBuffer reply = ByteBuffer.allocate(bytes.length);
            while (reply.hasRemaining()) {
                if (channel.read(reply) < 0) {
                    break;
                }
            }
            return new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
        }
    }

    @ProtocolEndpoint(name = "unix-echo", transport = TransportKind.UNIX, path = "${echo.socket}")
    static class UnixEchoEndpoint extends TestProtocols.Echo {

        UnixEchoEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

}
