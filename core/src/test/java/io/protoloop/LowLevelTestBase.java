package io.protoloop;

import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.selector.ReadinessSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the low-level API suites share: a one-thread loop with a recording exception handler, the
 * loop's thread, channels closed after each test, and waits with generous timeouts.
 */
abstract class LowLevelTestBase {

    static final long WAIT_SECONDS = 10;

    protected EventLoop loop;
    protected Thread loopThread;
    protected final List<Map<String, Object>> handled = new CopyOnWriteArrayList<>();
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final List<EventLoop> extraLoops = new ArrayList<>();

    @BeforeEach
    void createLoop() throws Exception {
        loop = EventLoop.create(LoopOptions.builder().threadNamePrefix("lowlevel").build());
        loop.setExceptionHandler((l, context) -> handled.add(context));
        loopThread = threadOf(loop);
    }

    @AfterEach
    void closeAll() throws IOException {
        loop.close();
        extraLoops.forEach(EventLoop::close);
        for (Channel channel : channels) {
            channel.close();
        }
    }

    /** Another loop, closed after the test. */
    protected EventLoop newLoop(LoopOptions options) {
        EventLoop l = EventLoop.create(options);
        extraLoops.add(l);
        return l;
    }

    /** The thread {@code l} runs its callbacks on. */
    protected static Thread threadOf(EventLoop l) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        l.callSoon(() -> thread.complete(Thread.currentThread()));
        return thread.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    protected <C extends Channel> C track(C channel) {
        channels.add(channel);
        return channel;
    }

    /** A connected TCP pair: {@code [0]} non-blocking (the loop's side), {@code [1]} blocking (the peer). */
    protected SocketChannel[] tcpPair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel ours = track(SocketChannel.open(server.getLocalAddress()));
            SocketChannel peer = track(server.accept());
            ours.configureBlocking(false);
            return new SocketChannel[]{ours, peer};
        }
    }

    /**
     * Records the thread that completes {@code future}; call it before the future can complete, and
     * read it with {@link #completedOn} before any {@code get()}: a thread blocked in {@code get()}
     * helps run dependent actions and would record itself.
     */
    protected static <T> AtomicReference<Thread> completionThread(CompletableFuture<T> future) {
        AtomicReference<Thread> thread = new AtomicReference<>();
        future.whenComplete((r, t) -> thread.set(Thread.currentThread()));
        return thread;
    }

    /**
     * Starts an operation from the loop's own thread and records the thread that completes it. Use it
     * when the operation can finish before a caller on another thread could attach
     * {@link #completionThread} (a loopback connect can): the loop is busy running this very task, so
     * the recorder is attached before any completion the loop could deliver.
     */
    protected <T> Started<T> startOnLoop(java.util.function.Supplier<CompletableFuture<T>> operation)
            throws Exception {
        CompletableFuture<Started<T>> started = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            try {
                CompletableFuture<T> future = operation.get();
                started.complete(new Started<>(future, completionThread(future)));
            } catch (Throwable failure) {
                started.completeExceptionally(failure);
            }
        });
        return started.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** An operation started by {@link #startOnLoop} and the recorder of its completing thread. */
    protected record Started<T>(CompletableFuture<T> future, AtomicReference<Thread> thread) {
    }

    /** Waits (without helping the future along) until the recorder ran, and gives its thread. */
    protected static Thread completedOn(AtomicReference<Thread> recorder) throws InterruptedException {
        await(() -> recorder.get() != null, "the future to complete");
        return recorder.get();
    }

    protected ReadinessSelector selector() {
        return ReadinessSelector.existing((AbstractLoop) loop);
    }

    /** Waits until the selector has no channel and no key left. */
    protected void awaitNothingRegistered() throws InterruptedException {
        ReadinessSelector selector = selector();
        if (selector != null) {
            await(() -> selector.watchCount() == 0 && selector.keyCount() == 0, "the selector to drop every key");
        }
    }

    protected static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                assertThat(condition.getAsBoolean()).as("timed out waiting for " + what).isTrue();
            }
            Thread.sleep(2);
        }
    }

    protected static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
