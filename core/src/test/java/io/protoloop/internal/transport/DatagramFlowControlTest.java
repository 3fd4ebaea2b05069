package io.protoloop.internal.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.protoloop.DatagramOptions;
import io.protoloop.EventLoop;
import io.protoloop.testsupport.DatagramRecorder;
import io.protoloop.transport.DatagramTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * asyncio's datagram flow control at its exact thresholds. On loopback the kernel takes every
 * datagram at once, so nothing would ever queue: a handler in front of the socket holds sends the way
 * a full send buffer does (Netty keeps them in its outbound buffer until the socket is writable), and
 * releases them one at a time. The datagrams still cross a real UDP socket.
 */
class DatagramFlowControlTest {

    private static final int PAYLOAD = 100;
    private static final int COUNTED = PAYLOAD + DatagramTransport.HEADER_SIZE;

    private EventLoop loop;
    private final DatagramRecorder receiver = new DatagramRecorder();
    private final DatagramRecorder sender = new DatagramRecorder();
    private DatagramEndpoint transport;
    private final HeldSends held = new HeldSends();

    @BeforeEach
    void connectAndHoldSends() throws Exception {
        loop = EventLoop.create();
        InetSocketAddress to = loop.createDatagramEndpoint(() -> receiver, new InetSocketAddress("127.0.0.1", 0),
                null, DatagramOptions.DEFAULT).get(10, TimeUnit.SECONDS).transport().getExtraInfo("sockname");
        transport = (DatagramEndpoint) loop.createDatagramEndpoint(() -> sender, null, to, DatagramOptions.DEFAULT)
                .get(10, TimeUnit.SECONDS).transport();
        onLoop(() -> {
            transport.channel().pipeline().addFirst(held);
            // Pause over 2 queued datagrams (216 > 200), resume at one or none (108 <= 150).
            transport.setWriteBufferLimits(200, 150);
            return null;
        });
    }

    @AfterEach
    void closeLoop() {
        onLoop(() -> {
            held.releaseAll();
            return null;
        });
        loop.close();
    }

    @Test
    void pausesWhenTheQueueGoesOverHighAndResumesAtLowCountingPayloadPlusHeader() throws Exception {
        List<String> seen = onLoop(() -> {
            List<String> steps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                transport.sendto(datagram(i));
                steps.add(transport.getWriteBufferSize() + " " + sender.events);
            }
            return steps;
        });
        assertThat(seen).containsExactly(
                COUNTED + " [connectionMade]",
                2 * COUNTED + " [connectionMade, pauseWriting]",
                3 * COUNTED + " [connectionMade, pauseWriting]");

        // A send while paused is queued too (pausing is advice) and pauses nothing again.
        List<String> released = onLoop(() -> {
            transport.sendto(datagram(3));
            List<String> steps = new ArrayList<>();
            while (held.releaseOne()) {
                steps.add(transport.getWriteBufferSize() + " " + sender.events);
            }
            return steps;
        });
        assertThat(released).containsExactly(
                3 * COUNTED + " [connectionMade, pauseWriting]",
                2 * COUNTED + " [connectionMade, pauseWriting]",
                COUNTED + " [connectionMade, pauseWriting, resumeWriting]",
                "0 [connectionMade, pauseWriting, resumeWriting]");

        await(() -> receiver.datagrams.size() == 4, "the four datagrams");
        for (int i = 0; i < 4; i++) {
            assertThat(receiver.datagrams.get(i)).isEqualTo(datagram(i));
        }
        assertThat(transport.snapshot().bytesSent()).isEqualTo(4 * PAYLOAD);
    }

    @Test
    void aQueuedEmptyDatagramCountsItsHeaderAndKeepsItsPlace() throws Exception {
        List<Integer> sizes = onLoop(() -> {
            transport.setWriteBufferLimits(1000, 0);
            transport.sendto(datagram(0));
            int one = transport.getWriteBufferSize();
            transport.sendto(new byte[0]);
            int two = transport.getWriteBufferSize();
            held.releaseAll();
            return List.of(one, two, transport.getWriteBufferSize());
        });
        assertThat(sizes).containsExactly(COUNTED, COUNTED + DatagramTransport.HEADER_SIZE, 0);
        await(() -> receiver.datagrams.size() == 2, "both datagrams");
        assertThat(receiver.datagrams.get(0)).isEqualTo(datagram(0));
        assertThat(receiver.datagrams.get(1)).isEmpty();
        assertThat(transport.snapshot().datagramsSent()).isEqualTo(2);
    }

    @Test
    void closeSendsWhatIsQueuedBeforeConnectionLost() throws Exception {
        onLoop(() -> {
            for (int i = 0; i < 3; i++) {
                transport.sendto(datagram(i));
            }
            transport.close();
            return null;
        });
        assertThat(transport.isClosing()).isTrue();
        Thread.sleep(100);
        assertThat(sender.lost).as("connectionLost waits for the queue").isNotDone();

        onLoop(() -> {
            held.releaseAll();
            return null;
        });
        assertThat(sender.lost.get(10, TimeUnit.SECONDS)).isNull();
        await(() -> receiver.datagrams.size() == 3, "every queued datagram");
        assertThat(transport.getWriteBufferSize()).isZero();
        // asyncio's _sendto_ready resumes the protocol as the queue drains, closing or not.
        assertThat(sender.events).containsExactly("connectionMade", "pauseWriting", "resumeWriting", "connectionLost");
    }

    @Test
    void abortDropsWhatIsQueuedAndLosesTheConnectionAtOnce() throws Exception {
        onLoop(() -> {
            for (int i = 0; i < 3; i++) {
                transport.sendto(datagram(i));
            }
            transport.abort();
            return null;
        });
        assertThat(sender.lost.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(transport.getWriteBufferSize()).isZero();
        // The channel closed under the held sends: they fail, and nothing reaches the receiver.
        onLoop(() -> {
            held.releaseAll();
            return null;
        });
        Thread.sleep(100);
        assertThat(receiver.datagrams).isEmpty();
        assertThat(sender.events).containsExactly("connectionMade", "pauseWriting", "connectionLost");
    }

    private static byte[] datagram(int index) {
        byte[] bytes = new byte[PAYLOAD];
        java.util.Arrays.fill(bytes, (byte) ('a' + index));
        return bytes;
    }

    private <T> T onLoop(Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.join();
    }

    /** Holds every send until released, as a socket with a full send buffer would. */
    private static final class HeldSends extends ChannelOutboundHandlerAdapter {
        private final Deque<Object[]> sends = new ArrayDeque<>();
        private ChannelHandlerContext context;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            context = ctx;
            sends.add(new Object[] {msg, promise});
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // Nothing leaves until released.
        }

        boolean releaseOne() {
            Object[] send = sends.poll();
            if (send == null) {
                return false;
            }
            context.writeAndFlush(send[0], (ChannelPromise) send[1]);
            return true;
        }

        void releaseAll() {
            while (releaseOne()) {
                // Each send completes (or fails, if the channel closed) in turn.
            }
        }
    }
}
