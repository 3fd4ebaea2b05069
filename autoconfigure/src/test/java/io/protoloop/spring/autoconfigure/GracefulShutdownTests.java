package io.protoloop.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.protoloop.protocol.Protocol;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.testsupport.Sockets;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Graceful shutdown of endpoints with the application context: stop accepting, flush what was
 * accepted, abort what remains after {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
@ExtendWith(OutputCaptureExtension.class)
class GracefulShutdownTests {

    /** Far more than the socket buffers of both ends hold, so most of it is pending at shutdown. */
    static final int PAYLOAD_SIZE = 16 * 1024 * 1024;

    static final byte[] PAYLOAD = Sockets.randomBytes(PAYLOAD_SIZE, 42);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class, ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=1")
        .withUserConfiguration(BulkEndpoint.class);

    @Test
    void gracefulShutdownStopsAcceptingAndFlushesALargePendingWrite() {
        this.contextRunner.run((context) -> {
            int port = context.getEnvironment().getProperty("local.protoloop.bulk.port", Integer.class);
            ManagedEndpoint bulk = context.getBean(EndpointRegistry.class).getEndpoint("bulk");
            try (Socket client = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                await().atMost(Duration.ofSeconds(20)).until(() -> pending(bulk) > 0);
                CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
                await().atMost(Duration.ofSeconds(20)).until(() -> bulk.getAddresses().isEmpty());
                assertThatExceptionOfType(ConnectException.class)
                    .isThrownBy(() -> new Socket("127.0.0.1", port).close());
                assertThat(closing).isNotDone();
                byte[] received = Sockets.readToEof(client.getInputStream());
                assertThat(received).hasSize(PAYLOAD_SIZE).isEqualTo(PAYLOAD);
                closing.get(10, TimeUnit.SECONDS);
            }
            assertThat(bulk.getState()).isEqualTo(ManagedEndpoint.State.STOPPED);
        });
    }

    @Test
    void whatRemainsAfterTheShutdownPhaseTimeoutIsAbortedAndLogged(CapturedOutput output) {
        this.contextRunner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=300ms").run((context) -> {
            int port = context.getEnvironment().getProperty("local.protoloop.bulk.port", Integer.class);
            ManagedEndpoint bulk = context.getBean(EndpointRegistry.class).getEndpoint("bulk");
            try (Socket client = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                await().atMost(Duration.ofSeconds(20)).until(() -> pending(bulk) > 0);
                long start = System.nanoTime();
                context.close();
                // Well under the 30 s default phase timeout: the 300 ms setting is what ended the wait.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
                assertThat(readUntilClosed(client.getInputStream())).isLessThan(PAYLOAD_SIZE);
            }
        });
        assertThat(output).containsPattern("Protoloop endpoint 'bulk' \\(TCP\\): 1 connection\\(s\\) .* and were "
                + "aborted, dropping [1-9][0-9]* buffered byte\\(s\\)");
    }

    private static long pending(ManagedEndpoint endpoint) {
        long bytes = 0;
        for (BaseTransport transport : endpoint.getTransports()) {
            bytes += ((Transport) transport).getWriteBufferSize();
        }
        return bytes;
    }

    private static long readUntilClosed(InputStream in) {
        long total = 0;
        byte[] buffer = new byte[65536];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                total += read;
            }
        }
        catch (IOException ex) {
            // Reset by the abort: expected.
        }
        return total;
    }

    /** Writes a large payload as soon as a client connects, asyncio style: write() never blocks. */
    @ProtocolEndpoint(name = "bulk", host = "127.0.0.1")
    static class BulkEndpoint implements Protocol {

        @Override
        public void connectionMade(Transport transport) {
            transport.write(PAYLOAD);
        }

    }

}
