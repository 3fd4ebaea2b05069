package io.protoloop;

import io.protoloop.internal.signal.UnixSignals;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples of the seed's low-level API index, ported line by line ("Examples" in
 * {@code low-level-api-index.txt}; the Python is in each test's comment). Time is scaled down 20x.
 */
class LowLevelExamplesTest extends LowLevelTestBase {

    /**
     * "Using asyncio.new_event_loop() and loop.run_forever()":
     * <pre>
     * def hello_world(loop):
     *     print('Hello World')
     *     loop.stop()
     * loop = asyncio.new_event_loop()
     * loop.call_soon(hello_world, loop)
     * try:
     *     loop.run_forever()
     * finally:
     *     loop.close()
     * </pre>
     */
    @Test
    void helloWorldWithCallSoonAndRunForever() {
        List<String> printed = new CopyOnWriteArrayList<>();
        EventLoop loop = EventLoop.create();
        loop.callSoon(() -> {
            printed.add("Hello World");
            loop.stop();
        });
        try {
            loop.runForever();
        } finally {
            loop.close();
        }
        assertThat(printed).containsExactly("Hello World");
    }

    /**
     * "Using loop.call_later()": display the current date every second for 5 seconds (here every
     * 0.05 s for 0.25 s).
     * <pre>
     * def display_date(end_time, loop):
     *     print(datetime.datetime.now())
     *     if (loop.time() + 1.0) < end_time:
     *         loop.call_later(1, display_date, end_time, loop)
     *     else:
     *         loop.stop()
     * loop = asyncio.new_event_loop()
     * end_time = loop.time() + 5.0
     * loop.call_soon(display_date, end_time, loop)
     * try:
     *     loop.run_forever()
     * finally:
     *     loop.close()
     * </pre>
     */
    @Test
    void displayTheDateWithCallLater() {
        List<Double> printed = new CopyOnWriteArrayList<>();
        EventLoop loop = EventLoop.create();
        double endTime = loop.time() + 0.25;
        loop.callSoon(new Runnable() {
            @Override
            public void run() {
                double now = loop.time(); // read once, so the assertions below see what was decided on
                printed.add(now);
                if (now + 0.05 < endTime) {
                    loop.callLater(0.05, this);
                } else {
                    loop.stop();
                }
            }
        });
        try {
            loop.runForever();
        } finally {
            loop.close();
        }
        // Lower bounds only: a loaded machine runs the timers late (so fewer of them), never early.
        assertThat(printed).hasSizeBetween(1, 6);
        for (int i = 1; i < printed.size(); i++) {
            assertThat(printed.get(i) - printed.get(i - 1)).isGreaterThanOrEqualTo(0.05 - 1e-9);
        }
        assertThat(printed.get(printed.size() - 1) + 0.05).isGreaterThanOrEqualTo(endTime);
    }

    /**
     * "Using add_reader() to watch an FD for read events" (a {@link Pipe} stands in for
     * {@code socket.socketpair()}, which the JDK lacks; the same with a TCP pair below):
     * <pre>
     * rsock, wsock = socketpair()
     * loop = asyncio.new_event_loop()
     * def reader():
     *     data = rsock.recv(100)
     *     print("Received:", data.decode())
     *     loop.remove_reader(rsock)
     *     loop.stop()
     * loop.add_reader(rsock, reader)
     * loop.call_soon(wsock.send, 'abc'.encode())
     * try:
     *     loop.run_forever()
     * finally:
     *     rsock.close(); wsock.close(); loop.close()
     * </pre>
     */
    @Test
    void watchAFileDescriptorForReadEvents() throws Exception {
        Pipe pipe = Pipe.open();
        Pipe.SourceChannel rsock = track(pipe.source());
        Pipe.SinkChannel wsock = track(pipe.sink());
        rsock.configureBlocking(false);
        assertThat(runReaderExample(rsock, () -> send(wsock, "abc"))).containsExactly("Received: abc");
    }

    @Test
    void watchASocketForReadEvents() throws Exception {
        SocketChannel[] pair = tcpPair();
        assertThat(runReaderExample(pair[0], () -> send(pair[1], "abc"))).containsExactly("Received: abc");
    }

    private <C extends SelectableChannel & java.nio.channels.ReadableByteChannel> List<String> runReaderExample(
            C rsock, Runnable sendAbc) {
        List<String> printed = new ArrayList<>();
        EventLoop loop = EventLoop.create();
        Runnable reader = () -> {
            ByteBuffer data = ByteBuffer.allocate(100);
            try {
                rsock.read(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            printed.add("Received: " + new String(data.array(), 0, data.position(), StandardCharsets.UTF_8));
            loop.removeReader(rsock);
            loop.stop();
        };
        loop.addReader(rsock, reader);
        loop.callSoon(sendAbc);
        try {
            loop.runForever();
        } finally {
            loop.close();
        }
        return printed;
    }

    private static void send(java.nio.channels.WritableByteChannel channel, String text) {
        try {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * "Using loop.add_signal_handler()": set signal handlers for SIGINT and SIGTERM.
     * <pre>
     * def ask_exit(signame, loop):
     *     print("got signal %s: exit" % signame)
     *     loop.stop()
     * async def main():
     *     loop = asyncio.get_running_loop()
     *     for signame in {'SIGINT', 'SIGTERM'}:
     *         loop.add_signal_handler(getattr(signal, signame),
     *                                 functools.partial(ask_exit, signame, loop))
     *     await asyncio.sleep(3600)
     * </pre>
     * The test JVM must not receive a real SIGTERM while the JVM's own handler is in place (that
     * would end the build), so the signal is raised only while ours is installed, and the handlers
     * are removed only after it was seen. A process started with SIGINT ignored (a background job)
     * cannot handle SIGINT: then only SIGTERM is set, as the refusal says.
     */
    @Test
    void setSignalHandlersForSigintAndSigterm() {
        List<String> printed = new CopyOnWriteArrayList<>();
        List<String> set = new ArrayList<>();
        EventLoop loop = EventLoop.create();
        try {
            for (String signame : List.of("SIGINT", "SIGTERM")) {
                int signal = new Signal(signame.substring(3)).getNumber();
                try {
                    loop.addSignalHandler(signal, () -> {
                        printed.add("got signal " + signame + ": exit");
                        loop.stop();
                    });
                    set.add(signame);
                } catch (IllegalArgumentException e) {
                    assertThat(signame).isEqualTo("SIGINT");
                    assertThat(e).hasMessageContaining("ignored");
                }
            }
            assertThat(set).contains("SIGTERM");
            // main() "sleeps"; the signal comes from the loop, with our handler already in place.
            loop.callSoon(() -> Signal.raise(new Signal("TERM")));
            loop.callLater(WAIT_SECONDS, loop::stop); // never hang the build
            loop.runForever();
            assertThat(printed).containsExactly("got signal SIGTERM: exit");
        } finally {
            // Removed after the signal was seen (runForever returned through ask_exit).
            loop.close();
        }
        assertThat(UnixSignals.installed()).doesNotContainKeys(2, 15);
    }
}
