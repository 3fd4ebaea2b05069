package io.protoloop;

import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.selector.ReadinessSelector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** asyncio's {@code add_reader}/{@code remove_reader}/{@code add_writer}/{@code remove_writer}. */
class LowLevelWatchTest extends LowLevelTestBase {

    private Pipe pipe() throws IOException {
        Pipe pipe = Pipe.open();
        track(pipe.source()).configureBlocking(false);
        track(pipe.sink());
        return pipe;
    }

    @Test
    void aReaderRunsOnTheLoopWhenDataArrives() throws Exception {
        Pipe pipe = pipe();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CompletableFuture<String> read = new CompletableFuture<>();
        loop.addReader(pipe.source(), () -> {
            threads.add(Thread.currentThread());
            ByteBuffer buffer = ByteBuffer.allocate(16);
            try {
                pipe.source().read(buffer);
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
            read.complete(new String(buffer.array(), 0, buffer.position()));
        });
        assertThat(threads).isEmpty();

        pipe.sink().write(ByteBuffer.wrap("abc".getBytes()));

        assertThat(get(read)).isEqualTo("abc");
        assertThat(threads).containsOnly(loopThread);
        assertThat(loop.removeReader(pipe.source())).isTrue();
        assertThat(loop.removeReader(pipe.source())).isFalse();
        awaitNothingRegistered();
    }

    @Test
    void readersAreLevelTriggeredAndStopOnRemove() throws Exception {
        Pipe pipe = pipe();
        AtomicInteger calls = new AtomicInteger();
        // Never reads: the data stays, so asyncio keeps calling the reader.
        loop.addReader(pipe.source(), calls::incrementAndGet);
        pipe.sink().write(ByteBuffer.wrap(new byte[]{1}));
        await(() -> calls.get() >= 5, "the reader to be called again and again");

        CompletableFuture<Boolean> removed = new CompletableFuture<>();
        loop.callSoon(() -> removed.complete(loop.removeReader(pipe.source())));
        assertThat(get(removed)).isTrue();
        int after = calls.get();
        Thread.sleep(50);
        // Removed on the loop, so no call was on its way: not one more.
        assertThat(calls.get()).isEqualTo(after);
        awaitNothingRegistered();
    }

    @Test
    void aSecondReaderReplacesTheFirst() throws Exception {
        Pipe pipe = pipe();
        AtomicInteger first = new AtomicInteger();
        CompletableFuture<Void> second = new CompletableFuture<>();
        loop.addReader(pipe.source(), first::incrementAndGet);
        loop.addReader(pipe.source(), () -> {
            loop.removeReader(pipe.source());
            second.complete(null);
        });
        pipe.sink().write(ByteBuffer.wrap(new byte[]{1}));
        get(second);
        assertThat(first.get()).isZero();
        assertThat(loop.removeReader(pipe.source())).isFalse();
        awaitNothingRegistered();
    }

    @Test
    void aWriterRunsWhileTheChannelIsWritable() throws Exception {
        SocketChannel[] pair = tcpPair();
        CompletableFuture<Thread> called = new CompletableFuture<>();
        loop.addWriter(pair[0], () -> called.complete(Thread.currentThread()));
        assertThat(get(called)).isSameAs(loopThread);
        assertThat(loop.removeWriter(pair[0])).isTrue();
        assertThat(loop.removeWriter(pair[0])).isFalse();
        assertThat(loop.removeReader(pair[0])).isFalse();
        awaitNothingRegistered();
    }

    @Test
    void readerAndWriterOnOneChannelAreIndependent() throws Exception {
        SocketChannel[] pair = tcpPair();
        AtomicInteger writable = new AtomicInteger();
        CompletableFuture<Void> readable = new CompletableFuture<>();
        loop.addWriter(pair[0], writable::incrementAndGet);
        loop.addReader(pair[0], () -> readable.complete(null));
        await(() -> writable.get() > 0, "the writer");
        assertThat(readable).isNotDone();

        assertThat(loop.removeWriter(pair[0])).isTrue();
        pair[1].write(ByteBuffer.wrap(new byte[]{7}));
        get(readable);
        assertThat(selector().watchCount()).isEqualTo(1);
        assertThat(loop.removeReader(pair[0])).isTrue();
        awaitNothingRegistered();
    }

    @Test
    void aWriterHearsWhenANonBlockingConnectCompletes() throws Exception {
        ServerSocketChannel server = track(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = track(SocketChannel.open());
        client.configureBlocking(false);
        CompletableFuture<Boolean> connected = new CompletableFuture<>();
        if (client.connect(server.getLocalAddress())) {
            connected.complete(true);
        } else {
            loop.addWriter(client, () -> {
                try {
                    connected.complete(client.finishConnect());
                } catch (IOException e) {
                    connected.completeExceptionally(e);
                }
                loop.removeWriter(client);
            });
        }
        assertThat(get(connected)).isTrue();
        assertThat(client.isConnected()).isTrue();
        awaitNothingRegistered();
    }

    @Test
    void aReaderOnAServerSocketHearsConnections() throws Exception {
        ServerSocketChannel server = track(ServerSocketChannel.open());
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).configureBlocking(false);
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        loop.addReader(server, () -> {
            try {
                SocketChannel c = server.accept();
                if (c != null) {
                    accepted.complete(track(c));
                    loop.removeReader(server);
                }
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        });
        SocketChannel client = track(SocketChannel.open(server.getLocalAddress()));
        assertThat(get(accepted).getRemoteAddress()).isEqualTo(client.getLocalAddress());
        awaitNothingRegistered();
    }

    @Test
    void aThrowingReaderGoesToTheExceptionHandlerAndStaysWatched() throws Exception {
        Pipe pipe = pipe();
        AtomicInteger calls = new AtomicInteger();
        RuntimeException boom = new RuntimeException("boom");
        loop.addReader(pipe.source(), () -> {
            calls.incrementAndGet();
            throw boom;
        });
        pipe.sink().write(ByteBuffer.wrap(new byte[]{1}));
        await(() -> calls.get() >= 2, "the reader to be called again after throwing");
        assertThat(handled).isNotEmpty();
        assertThat(handled.get(0).get("exception")).isSameAs(boom);
        assertThat(String.valueOf(handled.get(0).get("message"))).contains("reader of");
        assertThat(loop.removeReader(pipe.source())).isTrue();
        awaitNothingRegistered();
    }

    @Test
    void callbacksRunOnTheMemberThatWatches() throws Exception {
        EventLoop group = newLoop(LoopOptions.builder().threads(2).build());
        Thread first = threadOf(group.members().get(0));
        Thread second = threadOf(group.members().get(1));
        Pipe a = pipe();
        Pipe b = pipe();
        CompletableFuture<Thread> viaGroup = new CompletableFuture<>();
        CompletableFuture<Thread> viaMember = new CompletableFuture<>();
        group.addReader(a.source(), () -> {
            viaGroup.complete(Thread.currentThread());
            group.removeReader(a.source());
        });
        group.members().get(1).addReader(b.source(), () -> {
            viaMember.complete(Thread.currentThread());
            group.removeReader(b.source());
        });
        a.sink().write(ByteBuffer.wrap(new byte[]{1}));
        b.sink().write(ByteBuffer.wrap(new byte[]{1}));
        assertThat(get(viaGroup)).isSameAs(first);
        assertThat(get(viaMember)).isSameAs(second);
    }

    @Test
    void badChannelsAreRejected() throws Exception {
        SocketChannel blocking = track(SocketChannel.open());
        assertThatThrownBy(() -> loop.addReader(blocking, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-blocking");
        Pipe pipe = pipe();
        pipe.sink().configureBlocking(false);
        assertThatThrownBy(() -> loop.addReader(pipe.sink(), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reading");
        assertThatThrownBy(() -> loop.addWriter(pipe.source(), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writing");
        SocketChannel closed = SocketChannel.open();
        closed.configureBlocking(false);
        closed.close();
        assertThatThrownBy(() -> loop.addReader(closed, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> loop.addReader(pipe.source(), null)).isInstanceOf(NullPointerException.class);
        assertThat(loop.removeReader(pipe.source())).isFalse();
        assertThat(loop.removeWriter(blocking)).isFalse();
    }

    @Test
    void closingTheLoopDropsEveryWatchAndEndsTheSelectorThread() throws Exception {
        Pipe pipe = pipe();
        SocketChannel[] pair = tcpPair();
        loop.addReader(pipe.source(), () -> { });
        loop.addReader(pair[0], () -> { });
        loop.addWriter(pair[0], () -> { });
        ReadinessSelector selector = selector();
        await(() -> selector.keyCount() == 2, "two channels to be registered");
        Thread thread = selector.thread();
        assertThat(thread.isAlive()).isTrue();
        // Not counted as transports.
        assertThat(loop.statistics().transports()).isZero();

        loop.close();

        thread.join(10_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(selector.watchCount()).isZero();
        assertThat(selector.keyCount()).isZero();
        // asyncio: remove_reader on a closed loop returns False; add_reader raises.
        assertThat(loop.removeReader(pipe.source())).isFalse();
        assertThatThrownBy(() -> loop.addReader(pipe.source(), () -> { })).isInstanceOf(IllegalStateException.class);
        assertThat(selector.toString()).contains("stopped");
        // The selector let go of the channels.
        pipe.source().configureBlocking(true);
        pair[0].configureBlocking(true);
        assertThat(Thread.getAllStackTraces().keySet()).doesNotContain(thread);
    }

    @Test
    void aLoopThatNeverWaitedHasNoSelectorThread() throws Exception {
        EventLoop fresh = newLoop(LoopOptions.DEFAULT);
        Pipe pipe = pipe();
        assertThat(fresh.removeReader(pipe.source())).isFalse();
        assertThat(ReadinessSelector.existing((AbstractLoop) fresh)).isNull();
        fresh.close();
    }
}
