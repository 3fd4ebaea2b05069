package io.protoloop;

import io.protoloop.sock.Accepted;
import io.protoloop.sock.ReceivedDatagram;
import io.protoloop.sock.ReceivedInto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** asyncio's {@code loop.sock_*()} methods over real JDK channels. */
class LowLevelSockTest extends LowLevelTestBase {

    private static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- sockRecv / sockRecvInto ----------------------------------------------------------------

    @Test
    void sockRecvWaitsForDataAndCompletesOnTheLoop() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 100);
        AtomicReference<Thread> thread = completionThread(received);
        assertThat(received).isNotDone();
        // Waiting registered the channel with the selector thread.
        await(() -> selector().keyCount() == 1, "the channel to be registered");

        pair[1].write(bytes("hello"));

        assertThat(completedOn(thread)).isSameAs(loopThread);
        assertThat(text(get(received))).isEqualTo("hello");
        awaitNothingRegistered();
    }

    @Test
    void sockRecvTakesDataAlreadyThereWithoutWaiting() throws Exception {
        SocketChannel[] pair = tcpPair();
        pair[1].write(bytes("ready"));
        // Let the bytes arrive: the first try then succeeds and nothing is ever registered.
        ByteBuffer first = ByteBuffer.allocate(1);
        await(() -> {
            try {
                return pair[0].read(first) == 1;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "data to arrive");

        assertThat(text(get(loop.sockRecv(pair[0], 100)))).isEqualTo("eady");
        assertThat(selector().keyCount()).isZero();
        assertThat(selector().thread()).as("no wait, so no selector thread").isNull();
    }

    @Test
    void sockRecvGivesAnEmptyBufferAtEofAndSockRecvIntoZero() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 100);
        pair[1].shutdownOutput();
        assertThat(get(received).remaining()).isZero();
        assertThat(get(loop.sockRecvInto(pair[0], ByteBuffer.allocate(10)))).isZero();
    }

    @Test
    void sockRecvIntoFillsTheBufferFromItsPosition() throws Exception {
        SocketChannel[] pair = tcpPair();
        ByteBuffer buffer = ByteBuffer.allocate(10);
        buffer.put((byte) 'x');
        CompletableFuture<Integer> count = loop.sockRecvInto(pair[0], buffer);
        AtomicReference<Thread> thread = completionThread(count);
        pair[1].write(bytes("abc"));

        assertThat(completedOn(thread)).isSameAs(loopThread);
        assertThat(get(count)).isEqualTo(3);
        assertThat(buffer.position()).isEqualTo(4);
        assertThat(new String(buffer.array(), 0, 4, StandardCharsets.UTF_8)).isEqualTo("xabc");
    }

    @Test
    void concurrentReceivesCompleteInCallOrder() throws Exception {
        SocketChannel[] pair = tcpPair();
        List<CompletableFuture<ByteBuffer>> receives = List.of(
                loop.sockRecv(pair[0], 1), loop.sockRecv(pair[0], 1), loop.sockRecv(pair[0], 1));
        pair[1].write(bytes("abc"));
        StringBuilder got = new StringBuilder();
        for (CompletableFuture<ByteBuffer> r : receives) {
            got.append(text(get(r)));
        }
        assertThat(got.toString()).isEqualTo("abc");
        awaitNothingRegistered();
    }

    @Test
    void cancellingAReceiveDropsTheWaitAndLosesNothing() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 100);
        await(() -> selector().keyCount() == 1, "the channel to be registered");

        assertThat(received.cancel(false)).isTrue();
        awaitNothingRegistered();

        pair[1].write(bytes("kept"));
        assertThat(text(get(loop.sockRecv(pair[0], 100)))).isEqualTo("kept");
        awaitNothingRegistered();
    }

    @Test
    void sockRecvWorksOnAPipe() throws Exception {
        Pipe pipe = Pipe.open();
        track(pipe.source()).configureBlocking(false);
        track(pipe.sink());
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pipe.source(), 10);
        pipe.sink().write(bytes("piped"));
        assertThat(text(get(received))).isEqualTo("piped");
    }

    // ---- sockSendall ----------------------------------------------------------------------------

    @Test
    void sockSendallSendsEverythingThroughAFullSocketBuffer() throws Exception {
        SocketChannel[] pair = tcpPair();
        byte[] payload = new byte[8 * 1024 * 1024];
        new Random(9).nextBytes(payload);
        ByteBuffer data = ByteBuffer.wrap(payload);

        CompletableFuture<Void> sent = loop.sockSendall(pair[0], data);
        AtomicReference<Thread> thread = completionThread(sent);
        // The data was copied: the caller's buffer is consumed and may be reused.
        assertThat(data.hasRemaining()).isFalse();
        // 8 MiB do not fit the socket buffers while nobody reads.
        Thread.sleep(50);
        assertThat(sent).isNotDone();

        byte[] got = readFully(pair[1], payload.length);
        assertThat(completedOn(thread)).isSameAs(loopThread);
        get(sent);
        assertThat(Arrays.equals(got, payload)).isTrue();
        awaitNothingRegistered();
    }

    @Test
    void sendsOnOneChannelKeepTheirOrder() throws Exception {
        SocketChannel[] pair = tcpPair();
        byte[] big = new byte[4 * 1024 * 1024];
        Arrays.fill(big, (byte) 'a');
        CompletableFuture<Void> first = loop.sockSendall(pair[0], big);
        CompletableFuture<Void> second = loop.sockSendall(pair[0], "tail".getBytes(StandardCharsets.UTF_8));

        byte[] got = readFully(pair[1], big.length + 4);
        get(first);
        get(second);
        assertThat(new String(got, big.length, 4, StandardCharsets.UTF_8)).isEqualTo("tail");
        assertThat(got[big.length - 1]).isEqualTo((byte) 'a');
    }

    private static byte[] readFully(SocketChannel peer, int n) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (peer.read(buffer) < 0) {
                break;
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    // ---- sockAccept / sockConnect ---------------------------------------------------------------

    @Test
    void sockAcceptGivesANonBlockingChannelAndThePeer() throws Exception {
        ServerSocketChannel server = track(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).configureBlocking(false);
        CompletableFuture<Accepted> accepted = loop.sockAccept(server);
        AtomicReference<Thread> thread = completionThread(accepted);
        assertThat(accepted).isNotDone();

        SocketChannel client = track(SocketChannel.open(server.getLocalAddress()));
        assertThat(completedOn(thread)).isSameAs(loopThread);
        Accepted result = get(accepted);
        track(result.channel());
        assertThat(result.channel().isBlocking()).isFalse();
        assertThat(result.address()).isEqualTo(client.getLocalAddress());
        awaitNothingRegistered();
    }

    @Test
    void sockConnectConnectsAndResolvesNames() throws Exception {
        ServerSocketChannel server = track(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();

        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        // A loopback connect can complete before this thread could attach a recorder: start it on the loop.
        Started<Void> started = startOnLoop(
                () -> loop.sockConnect(client, InetSocketAddress.createUnresolved("localhost", port)));
        CompletableFuture<Void> connected = started.future();
        assertThat(completedOn(started.thread())).isSameAs(loopThread);
        get(connected);
        assertThat(client.isConnected()).isTrue();
        assertThat(((InetSocketAddress) client.getRemoteAddress()).getPort()).isEqualTo(port);

        // And data flows over it.
        SocketChannel peer = track(server.accept());
        get(loop.sockSendall(client, "hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(readFully(peer, 2), StandardCharsets.UTF_8)).isEqualTo("hi");
        awaitNothingRegistered();
    }

    @Test
    void sockConnectToAClosedPortFailsWithConnectExceptionNamingTheAddress() throws Exception {
        // Bound but never listening: connects are refused, and no other process can take the port meanwhile.
        SocketChannel closed = track(SocketChannel.open());
        closed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) closed.getLocalAddress()).getPort();
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

        assertThatThrownBy(() -> get(loop.sockConnect(client, target)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConnectException.class)
                .hasMessageContaining(String.valueOf(port));
        awaitNothingRegistered();
    }

    // ---- datagrams ------------------------------------------------------------------------------

    @Test
    void sockSendtoAndSockRecvfromExchangeDatagrams() throws Exception {
        DatagramChannel a = udp();
        DatagramChannel b = udp();
        CompletableFuture<ReceivedDatagram> received = loop.sockRecvfrom(b, 100);
        AtomicReference<Thread> thread = completionThread(received);
        assertThat(received).isNotDone();

        assertThat(get(loop.sockSendto(a, bytes("ping"), b.getLocalAddress()))).isEqualTo(4);
        assertThat(completedOn(thread)).isSameAs(loopThread);
        ReceivedDatagram datagram = get(received);
        assertThat(text(datagram.data())).isEqualTo("ping");
        assertThat(datagram.address()).isEqualTo(a.getLocalAddress());

        // sock_recvfrom_into; an empty datagram too.
        ByteBuffer buffer = ByteBuffer.allocate(3);
        CompletableFuture<ReceivedInto> into = loop.sockRecvfromInto(a, buffer);
        get(loop.sockSendto(b, "truncated".getBytes(StandardCharsets.UTF_8), a.getLocalAddress()));
        ReceivedInto info = get(into);
        assertThat(info.nbytes()).isEqualTo(3);
        assertThat(info.address()).isEqualTo(b.getLocalAddress());
        assertThat(new String(buffer.array(), StandardCharsets.UTF_8)).isEqualTo("tru");

        assertThat(get(loop.sockSendto(a, new byte[0], b.getLocalAddress()))).isZero();
        assertThat(get(loop.sockRecvfrom(b, 100)).data().remaining()).isZero();
        awaitNothingRegistered();
    }

    @Test
    void connectedDatagramChannelsTakeSockRecvAndSockSendall() throws Exception {
        DatagramChannel a = udp();
        DatagramChannel b = udp();
        get(loop.sockConnect(a, b.getLocalAddress()));
        get(loop.sockConnect(b, InetSocketAddress.createUnresolved("127.0.0.1",
                ((InetSocketAddress) a.getLocalAddress()).getPort())));
        CompletableFuture<ByteBuffer> received = loop.sockRecv(b, 100);
        get(loop.sockSendall(a, bytes("connected")));
        assertThat(text(get(received))).isEqualTo("connected");
    }

    private DatagramChannel udp() throws Exception {
        DatagramChannel channel = track(DatagramChannel.open(StandardProtocolFamily.INET));
        channel.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)).configureBlocking(false);
        return channel;
    }

    // ---- sockSendfile ---------------------------------------------------------------------------

    @Test
    void sockSendfileSendsTheRangeAndMovesTheFilePosition(@TempDir Path dir) throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(content);
        Path path = Files.write(dir.resolve("data.bin"), content);
        SocketChannel[] pair = tcpPair();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            CompletableFuture<Long> sent = loop.sockSendfile(pair[0], file, 100, null);
            byte[] got = readFully(pair[1], content.length - 100);

            assertThat(get(sent)).isEqualTo(content.length - 100L);
            assertThat(Arrays.equals(got, Arrays.copyOfRange(content, 100, content.length))).isTrue();
            assertThat(file.position()).isEqualTo(content.length);

            // A count: exactly that many; a count past the end stops at EOF.
            assertThat(get(loop.sockSendfile(pair[0], file, 10, 5L))).isEqualTo(5L);
            assertThat(readFully(pair[1], 5)).isEqualTo(Arrays.copyOfRange(content, 10, 15));
            assertThat(file.position()).isEqualTo(15);
            assertThat(get(loop.sockSendfile(pair[0], file, content.length - 3, 1000L))).isEqualTo(3L);
            assertThat(readFully(pair[1], 3)).isEqualTo(Arrays.copyOfRange(content, content.length - 3, content.length));
            assertThat(get(loop.sockSendfile(pair[0], file, content.length + 10, null))).isZero();
        }
        awaitNothingRegistered();
    }

    // ---- bad input and lifecycle ----------------------------------------------------------------

    @Test
    void blockingChannelsAndBadArgumentsAreRejectedAtOnce() throws Exception {
        SocketChannel blocking = track(SocketChannel.open());
        assertThatThrownBy(() -> loop.sockRecv(blocking, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-blocking");
        assertThatThrownBy(() -> loop.sockSendall(blocking, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-blocking");
        ServerSocketChannel blockingServer = track(ServerSocketChannel.open());
        assertThatThrownBy(() -> loop.sockAccept(blockingServer)).isInstanceOf(IllegalArgumentException.class);

        SocketChannel[] pair = tcpPair();
        assertThatThrownBy(() -> loop.sockRecv(pair[0], -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.sockRecvInto(pair[0], ByteBuffer.allocate(4).asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        DatagramChannel udp = udp();
        assertThatThrownBy(() -> loop.sockSendto(udp, new byte[1], InetSocketAddress.createUnresolved("localhost", 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
        try (FileChannel devNull = FileChannel.open(Path.of("/dev/null"))) {
            assertThatThrownBy(() -> loop.sockSendfile(pair[0], devNull, -1, null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> loop.sockSendfile(pair[0], devNull, 0, -5L))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aClosedChannelFailsTheFuture() throws Exception {
        SocketChannel[] pair = tcpPair();
        pair[0].close();
        assertThatThrownBy(() -> get(loop.sockRecv(pair[0], 10)))
                .cause().isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> get(loop.sockSendall(pair[0], new byte[1])))
                .cause().isInstanceOf(ClosedChannelException.class);
        awaitNothingRegistered();
    }

    @Test
    void closingTheChannelWhileWaitingFailsTheWait() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 10);
        await(() -> selector().keyCount() == 1, "the channel to be registered");
        pair[0].close();
        assertThatThrownBy(() -> get(received)).cause().isInstanceOf(AsynchronousCloseException.class);
        awaitNothingRegistered();
    }

    @Test
    void aWatchedChannelTakesNoSockOperationOfThatDirection() throws Exception {
        SocketChannel[] pair = tcpPair();
        loop.addReader(pair[0], () -> { });
        assertThatThrownBy(() -> loop.sockRecv(pair[0], 10))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("addReader");
        // The other direction is free.
        get(loop.sockSendall(pair[0], new byte[]{1}));
        assertThat(loop.removeReader(pair[0])).isTrue();

        CompletableFuture<ByteBuffer> pending = loop.sockRecv(pair[0], 10);
        assertThatThrownBy(() -> loop.addReader(pair[0], () -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sockRecv");
        pending.cancel(false);
        awaitNothingRegistered();
    }

    @Test
    void aFinishedOperationLeavesTheChannelFreeForItsCallbacks() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 1);
        // Runs inside the completion, on the loop: asyncio-style "then watch the socket".
        CompletableFuture<Void> watching = received.thenRun(() -> loop.addReader(pair[0], () -> { }));
        pair[1].write(bytes("x"));
        get(watching);
        assertThat(loop.removeReader(pair[0])).isTrue();
        awaitNothingRegistered();
    }

    @Test
    void aLongChainOfReadyReceivesDoesNotGrowTheStack() throws Exception {
        SocketChannel[] pair = tcpPair();
        int n = 20_000;
        pair[1].write(ByteBuffer.allocate(n));
        // Each receive starts the next from its completion, asyncio's "while True: await sock_recv(1)".
        CompletableFuture<Integer> done = new CompletableFuture<>();
        AtomicInteger count = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> loop.sockRecv(pair[0], 1).whenComplete((b, t) -> {
            if (t != null) {
                done.completeExceptionally(t);
            } else if (count.incrementAndGet() == n) {
                done.complete(n);
            } else {
                try {
                    next[0].run();
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }
        });
        loop.callSoon(next[0]);
        assertThat(get(done)).isEqualTo(n);
        awaitNothingRegistered();
    }

    @Test
    void closingTheLoopFailsPendingOperationsAndEndsTheSelectorThread() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 10);
        await(() -> selector().keyCount() == 1, "the channel to be registered");
        Thread selectorThread = selector().thread();
        assertThat(selectorThread.getName()).startsWith("protoloop-selector-");
        assertThat(selectorThread.isAlive()).isTrue();

        loop.close();

        assertThatThrownBy(() -> get(received)).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        selectorThread.join(10_000);
        assertThat(selectorThread.isAlive()).isFalse();
        assertThatThrownBy(() -> loop.sockRecv(pair[0], 10)).isInstanceOf(IllegalStateException.class);
        // The channel is usable again in blocking mode: the selector let go of it.
        pair[0].configureBlocking(true);
    }

    @Test
    void operationsWorkOnEveryEngineAndOnTheGroupsFirstMember() throws Exception {
        for (LoopTransport engine : LoopTransport.values()) {
            if (engine == LoopTransport.AUTO || !io.protoloop.internal.loop.Engine.isAvailable(engine)) {
                continue;
            }
            EventLoop group = newLoop(LoopOptions.builder().threads(2).transport(engine).build());
            Thread first = threadOf(group.members().get(0));
            Thread second = threadOf(group.members().get(1));
            SocketChannel[] pair = tcpPair();

            CompletableFuture<ByteBuffer> viaGroup = group.sockRecv(pair[0], 1);
            AtomicReference<Thread> groupThread = completionThread(viaGroup);
            pair[1].write(bytes("g"));
            assertThat(completedOn(groupThread)).isSameAs(first);
            assertThat(text(get(viaGroup))).as(engine.name()).isEqualTo("g");

            CompletableFuture<ByteBuffer> viaMember = group.members().get(1).sockRecv(pair[0], 1);
            AtomicReference<Thread> memberThread = completionThread(viaMember);
            pair[1].write(bytes("m"));
            assertThat(completedOn(memberThread)).isSameAs(second);
            assertThat(text(get(viaMember))).isEqualTo("m");
            group.close();
        }
    }

    @Test
    void cancellationBeforeCompletionIsReported() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<ByteBuffer> received = loop.sockRecv(pair[0], 10);
        received.cancel(true);
        assertThatThrownBy(() -> get(received)).isInstanceOf(CancellationException.class);
        awaitNothingRegistered();
    }
}
