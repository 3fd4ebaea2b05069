package io.protoloop.internal.loop;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Engine selection ({@code protoloop.loop.transport}). */
class EngineTest {

    @Test
    void autoPicksEpollWhenAvailableElseNio() {
        Engine expected = Epoll.isAvailable() ? Engine.EPOLL : Engine.NIO;
        assertThat(Engine.select(LoopTransport.AUTO)).isEqualTo(expected);
        assertThat(Engine.select(LoopTransport.AUTO).kind()).isEqualTo(expected.kind());
    }

    @Test
    void nioIsAlwaysAvailable() {
        assertThat(Engine.isAvailable(LoopTransport.NIO)).isTrue();
        assertThat(Engine.isAvailable(LoopTransport.AUTO)).isTrue();
        assertThat(Engine.select(LoopTransport.NIO)).isEqualTo(Engine.NIO);
    }

    @Test
    void availabilityFollowsNetty() {
        assertThat(Engine.isAvailable(LoopTransport.EPOLL)).isEqualTo(Epoll.isAvailable());
        assertThat(Engine.isAvailable(LoopTransport.IO_URING)).isEqualTo(IoUring.isAvailable());
    }

    @Test
    void availableNativeEnginesAreSelected() {
        if (Epoll.isAvailable()) {
            assertThat(Engine.select(LoopTransport.EPOLL)).isEqualTo(Engine.EPOLL);
        }
        if (IoUring.isAvailable()) {
            assertThat(Engine.select(LoopTransport.IO_URING)).isEqualTo(Engine.IO_URING);
        }
    }

    @Test
    void unavailableIoUringIsRejectedNamingTheProperty() {
        assumeThat(IoUring.isAvailable()).as("io_uring is available on this machine").isFalse();
        assertThatThrownBy(() -> Engine.select(LoopTransport.IO_URING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("protoloop.loop.transport")
                .hasMessageContaining("io_uring");
        assertThatThrownBy(() -> EventLoop.create(LoopOptions.builder().transport(LoopTransport.IO_URING).build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("protoloop.loop.transport");
    }

    @Test
    void unavailableEpollIsRejectedNamingTheProperty() {
        assumeThat(Epoll.isAvailable()).as("epoll is available on this machine").isFalse();
        assertThatThrownBy(() -> Engine.select(LoopTransport.EPOLL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("protoloop.loop.transport")
                .hasMessageContaining("epoll");
    }

    /**
     * The native engines can be made unavailable only before Netty's first probe, hence a child JVM
     * with {@code -Dio.netty.transport.noNative=true}: this exercises the error path on any machine.
     */
    @Test
    void nativeEnginesDisabledInAChildJvmAreRejectedAndAutoFallsBackToNio() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-Dio.netty.transport.noNative=true", "-cp", classpath, EngineProbe.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("AUTO -> NIO")
                .contains("NIO -> NIO")
                .contains("EPOLL -> IllegalStateException: protoloop.loop.transport=epoll is not available")
                .contains("IO_URING -> IllegalStateException: protoloop.loop.transport=io_uring is not available")
                .contains("loop AUTO -> NIO");
    }

    @Test
    void loopCreatedWithNioReportsNio() {
        try (EventLoop loop = EventLoop.create(LoopOptions.builder().transport(LoopTransport.NIO).build())) {
            assertThat(loop.transportType()).isEqualTo(LoopTransport.NIO);
            assertThat(loop.members()).allSatisfy(m -> assertThat(m.transportType()).isEqualTo(LoopTransport.NIO));
        }
    }

    @Test
    void loopCreatedWithAutoNeverReportsAuto() {
        try (EventLoop loop = EventLoop.create()) {
            assertThat(loop.transportType())
                    .isNotEqualTo(LoopTransport.AUTO)
                    .isEqualTo(Engine.select(LoopTransport.AUTO).kind());
        }
    }

    @Test
    void loopCreatedWithAvailableEpollReportsEpoll() {
        assumeThat(Epoll.isAvailable()).isTrue();
        try (EventLoop loop = EventLoop.create(LoopOptions.builder().transport(LoopTransport.EPOLL).build())) {
            assertThat(loop.transportType()).isEqualTo(LoopTransport.EPOLL);
        }
    }
}
