package io.protoloop.transport;

import io.protoloop.DatagramOptions;
import io.protoloop.EventLoop;
import io.protoloop.Server;
import io.protoloop.SubprocessOptions;
import io.protoloop.testsupport.DatagramRecorder;
import io.protoloop.testsupport.RecordingProtocol;
import io.protoloop.testsupport.RecordingSubprocessProtocol;
import io.protoloop.testsupport.Sockets;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Transport methods may be called from any thread, and writes after close are dropped, never an
 * exception: that holds after the whole loop closed too (a Spring context closes its loop while
 * application threads may still write). Buffers copied for such calls are released: the paranoid
 * leak detector every test runs with would fail this class otherwise.
 */
class ClosedLoopCallsTest {

    @Test
    void callsFromAnotherThreadAfterTheLoopClosedAreDroppedQuietly() throws Exception {
        EventLoop loop = EventLoop.create();
        Server server = loop.createServer(RecordingProtocol::new, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
        Transport stream = loop.createConnection(RecordingProtocol::new, "127.0.0.1",
                Sockets.port(server.sockets().get(0))).get(10, TimeUnit.SECONDS).transport();
        DatagramTransport datagram = loop.createDatagramEndpoint(DatagramRecorder::new,
                new InetSocketAddress("127.0.0.1", 0), null, DatagramOptions.DEFAULT).get(10, TimeUnit.SECONDS)
                .transport();
        InetSocketAddress somewhere = datagram.getExtraInfo("sockname");
        SubprocessTransport child = loop.subprocessExec(RecordingSubprocessProtocol::new, List.of("cat"),
                SubprocessOptions.DEFAULT).get(10, TimeUnit.SECONDS).transport();
        Pipe pipe = Pipe.open();
        WriteTransport pipeEnd = loop.<io.protoloop.protocol.BaseProtocol<WriteTransport>>connectWritePipe(
                () -> new io.protoloop.protocol.BaseProtocol<WriteTransport>() { }, pipe.sink())
                .get(10, TimeUnit.SECONDS).transport();

        loop.close();

        assertThatCode(() -> {
            stream.write("late".getBytes());
            stream.write(ByteBuffer.allocateDirect(8));
            stream.pauseReading();
            stream.resumeReading();
            stream.setWriteBufferLimits(1024, 0);
            stream.writeEof();
            stream.close();
            stream.abort();
            datagram.sendto("late".getBytes(), somewhere);
            datagram.close();
            datagram.abort();
            child.close();
            ((WriteTransport) child.getPipeTransport(0)).write("late".getBytes());
            pipeEnd.write("late".getBytes());
            pipeEnd.close();
        }).doesNotThrowAnyException();
        assertThat(stream.isClosing()).isTrue();
        assertThat(datagram.isClosing()).isTrue();
        pipe.source().close();
    }
}
