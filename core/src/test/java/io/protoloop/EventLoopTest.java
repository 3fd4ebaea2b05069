package io.protoloop;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The event loop on real Netty loops: asyncio's scheduling, error-handling and lifecycle rules.
 * Timing assertions are lower bounds only ("no earlier than"); waits use generous timeouts.
 */
class EventLoopTest {

    private static final long WAIT_SECONDS = 10;
    private static final String LOGGER = "io.protoloop.EventLoop";

    private final List<EventLoop> loops = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private ListAppender<ILoggingEvent> logs;
    private Logger logger;
    private EventLoop loop;

    @BeforeEach
    void setUp() {
        logger = (Logger) LoggerFactory.getLogger(LOGGER);
        logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        loop = newLoop(LoopOptions.builder().threadNamePrefix("evtest").build());
    }

    @AfterEach
    void tearDown() {
        loops.forEach(EventLoop::close);
        executors.forEach(ExecutorService::shutdownNow);
        logger.detachAppender(logs);
        logs.stop();
    }

    private EventLoop newLoop(LoopOptions options) {
        EventLoop l = EventLoop.create(options);
        loops.add(l);
        return l;
    }

    private ExecutorService newExecutor(String threadName) {
        ExecutorService e = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executors.add(e);
        return e;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("timed out waiting for the loop").isTrue();
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("timed out waiting for " + what).isNegative();
            Thread.sleep(2);
        }
    }

    /** The thread {@code l} runs its callbacks on. */
    private static Thread loopThread(EventLoop l) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        l.callSoon(() -> thread.complete(Thread.currentThread()));
        return await(thread);
    }

    /** Waits until every callback {@code l} already has queued has run. */
    private static void drain(EventLoop l) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        l.callSoon(() -> done.complete(null));
        await(done);
    }

    private List<ILoggingEvent> logEvents() {
        synchronized (logs) {
            return new ArrayList<>(logs.list);
        }
    }

    // ---- callSoon -------------------------------------------------------------------------------

    @Test
    void callSoonFromTheLoopRunsTenThousandCallbacksInFifoOrder() throws Exception {
        int n = 10_000;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        loop.callSoon(() -> {
            for (int i = 0; i < n; i++) {
                int value = i;
                loop.callSoon(() -> order.add(value));
            }
            loop.callSoon(done::countDown);
        });
        await(done);
        assertThat(order).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(order.get(i)).isEqualTo(i);
        }
    }

    @Test
    void callSoonFromOneOtherThreadRunsTenThousandCallbacksInFifoOrder() throws Exception {
        int n = 10_000;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            int value = i;
            if (i % 2 == 0) {
                loop.callSoon(() -> order.add(value));
            } else {
                loop.callSoonThreadsafe(() -> order.add(value));
            }
        }
        loop.callSoon(done::countDown);
        await(done);
        assertThat(order).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(order.get(i)).isEqualTo(i);
        }
    }

    @Test
    void callSoonFromManyThreadsKeepsEachThreadsOrderAndNeverRunsConcurrently() throws Exception {
        int threads = 4;
        int perThread = 2_500;
        Thread expectedLoopThread = loopThread(loop);
        List<int[]> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        Set<Thread> runners = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(threads * perThread);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> producers = new ArrayList<>();
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int producer = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        int seq = i;
                        loop.callSoon(() -> {
                            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                            runners.add(Thread.currentThread());
                            order.add(new int[] {producer, seq});
                            Thread.onSpinWait();
                            active.decrementAndGet();
                            done.countDown();
                        });
                    }
                } catch (Throwable e) {
                    producerError.set(e);
                }
            }, "producer-" + t);
            producers.add(thread);
            thread.start();
        }
        for (Thread thread : producers) {
            thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertThat(producerError.get()).isNull();
        await(done);

        assertThat(maxActive.get()).as("callbacks running at the same time").isEqualTo(1);
        assertThat(runners).containsExactly(expectedLoopThread);
        assertThat(order).hasSize(threads * perThread);
        int[] next = new int[threads];
        for (int[] entry : order) {
            assertThat(entry[1]).as("order of producer %d", entry[0]).isEqualTo(next[entry[0]]);
            next[entry[0]]++;
        }
        assertThat(next).containsOnly(perThread);
    }

    @Test
    void callbacksRunOnTheLoopsOwnThread() throws Exception {
        CompletableFuture<Thread> soon = new CompletableFuture<>();
        CompletableFuture<Thread> later = new CompletableFuture<>();
        CompletableFuture<Thread> at = new CompletableFuture<>();
        loop.callSoon(() -> soon.complete(Thread.currentThread()));
        loop.callLater(0.001, () -> later.complete(Thread.currentThread()));
        loop.callAt(loop.time(), () -> at.complete(Thread.currentThread()));
        Thread thread = await(soon);
        assertThat(thread).isNotSameAs(Thread.currentThread());
        assertThat(thread.getName()).startsWith("evtest-");
        assertThat(await(later)).isSameAs(thread);
        assertThat(await(at)).isSameAs(thread);
    }

    @Test
    void callSoonRejectsNull() {
        assertThatThrownBy(() -> loop.callSoon(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.callLater(1.0, null)).isInstanceOf(NullPointerException.class);
    }

    // ---- time and timers ------------------------------------------------------------------------

    @Test
    void timeIsMonotonicSeconds() throws Exception {
        double previous = loop.time();
        assertThat(previous).isGreaterThanOrEqualTo(0.0);
        for (int i = 0; i < 10_000; i++) {
            double now = loop.time();
            assertThat(now).isGreaterThanOrEqualTo(previous);
            previous = now;
        }
        double t0 = loop.time();
        long n0 = System.nanoTime();
        Thread.sleep(20);
        long n1 = System.nanoTime();
        double t1 = loop.time();
        // Seconds, not millis or nanos: the loop clock advanced at least as much as System.nanoTime.
        assertThat(t1 - t0).isGreaterThanOrEqualTo((n1 - n0) / 1e9 - 1e-6);
        assertThat(t1 - t0).isGreaterThan(0.015);
    }

    @Test
    void callLaterFiresNoEarlierThanRequested() throws Exception {
        long startNanos = System.nanoTime();
        double startTime = loop.time();
        CompletableFuture<double[]> fired = new CompletableFuture<>();
        TimerHandle handle = loop.callLater(0.05,
                () -> fired.complete(new double[] {loop.time(), System.nanoTime() - startNanos}));
        assertThat(handle.when()).isGreaterThanOrEqualTo(startTime + 0.05);
        double[] result = await(fired);
        assertThat(result[0]).as("loop time when run").isGreaterThanOrEqualTo(handle.when());
        assertThat(result[1]).as("nanos elapsed").isGreaterThanOrEqualTo(50_000_000);
        assertThat(handle.cancelled()).isFalse();
    }

    @Test
    void callLaterWithDurationFiresNoEarlierThanRequested() throws Exception {
        long startNanos = System.nanoTime();
        double startTime = loop.time();
        CompletableFuture<double[]> fired = new CompletableFuture<>();
        TimerHandle handle = loop.callLater(Duration.ofMillis(40),
                () -> fired.complete(new double[] {loop.time(), System.nanoTime() - startNanos}));
        assertThat(handle.when()).isGreaterThanOrEqualTo(startTime + 0.04);
        double[] result = await(fired);
        assertThat(result[0]).isGreaterThanOrEqualTo(handle.when());
        assertThat(result[1]).isGreaterThanOrEqualTo(40_000_000);
    }

    @Test
    void callAtFiresNoEarlierThanItsTime() throws Exception {
        double when = loop.time() + 0.03;
        CompletableFuture<Double> fired = new CompletableFuture<>();
        TimerHandle handle = loop.callAt(when, () -> fired.complete(loop.time()));
        assertThat(handle.when()).isEqualTo(when);
        assertThat(await(fired)).isGreaterThanOrEqualTo(when);
    }

    @Test
    void callAtInThePastAndNegativeDelaysRunSoon() throws Exception {
        CompletableFuture<Void> past = new CompletableFuture<>();
        CompletableFuture<Void> negative = new CompletableFuture<>();
        loop.callAt(loop.time() - 10, () -> past.complete(null));
        loop.callLater(-1.0, () -> negative.complete(null));
        await(past);
        await(negative);
    }

    /**
     * Blocks the loop until the returned latch is counted down. Timers are added to the loop's set on
     * the calling thread, so a test that registers timers while the loop is parked sees them all run
     * in `when` order, however late a starved registering thread is.
     */
    private CountDownLatch parkLoop() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch parked = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> {
            parked.countDown();
            try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await(parked);
        return release;
    }

    @Test
    void timersRunOrderedByTheirTime() throws Exception {
        double base = loop.time() + 0.05;
        double[] offsets = {0.08, 0.02, 0.06, 0.0, 0.04, 0.1, 0.01};
        List<Double> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(offsets.length);
        CountDownLatch registered = parkLoop();
        for (double offset : offsets) {
            loop.callAt(base + offset, () -> {
                ran.add(offset);
                done.countDown();
            });
        }
        registered.countDown();
        await(done);
        assertThat(ran).containsExactly(0.0, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1);
    }

    @Test
    void manyTimersFromManyThreadsRunInWhenOrder() throws Exception {
        int perThread = 100;
        int threads = 3;
        double base = loop.time() + 0.1;
        List<TimerHandle> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(perThread * threads);
        CountDownLatch registered = parkLoop();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(42 + t);
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    AtomicReference<TimerHandle> self = new AtomicReference<>();
                    // Sub-millisecond spacing: order must come from `when`, not from scheduling luck.
                    self.set(loop.callAt(base + random.nextInt(100) * 0.0005, () -> {
                        ran.add(self.get());
                        done.countDown();
                    }));
                }
            });
            producers.add(thread);
            thread.start();
        }
        for (Thread thread : producers) {
            thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        registered.countDown();
        await(done);
        assertThat(ran).hasSize(perThread * threads).doesNotContainNull();
        for (int i = 1; i < ran.size(); i++) {
            assertThat(ran.get(i).when()).isGreaterThanOrEqualTo(ran.get(i - 1).when());
        }
    }

    @Test
    void timersWithTheSameTimeRunInSchedulingOrder() throws Exception {
        double when = loop.time() + 0.02;
        List<Integer> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            int value = i;
            loop.callAt(when, () -> {
                ran.add(value);
                done.countDown();
            });
        }
        await(done);
        for (int i = 0; i < 50; i++) {
            assertThat(ran.get(i)).isEqualTo(i);
        }
    }

    @Test
    void callLaterRejectsNaN() {
        assertThatThrownBy(() -> loop.callLater(Double.NaN, () -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.callAt(Double.NaN, () -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hugeDelaysAreAcceptedAndCancellable() {
        TimerHandle forever = loop.callLater(Duration.ofSeconds(Long.MAX_VALUE), () -> { });
        TimerHandle infinite = loop.callLater(Double.POSITIVE_INFINITY, () -> { });
        assertThat(forever.when()).isGreaterThan(1e18);
        assertThat(infinite.when()).isInfinite();
        forever.cancel();
        infinite.cancel();
        assertThat(forever.cancelled()).isTrue();
        assertThat(infinite.cancelled()).isTrue();
    }

    // ---- handles --------------------------------------------------------------------------------

    @Test
    void cancellingAHandleBeforeItRunsPreventsIt() throws Exception {
        CountDownLatch blocker = new CountDownLatch(1);
        loop.callSoon(() -> {
            try {
                blocker.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicBoolean cancelledRan = new AtomicBoolean();
        AtomicBoolean otherRan = new AtomicBoolean();
        Handle cancelled = loop.callSoon(() -> cancelledRan.set(true));
        Handle other = loop.callSoon(() -> otherRan.set(true));
        assertThat(cancelled.cancelled()).isFalse();
        cancelled.cancel();
        cancelled.cancel(); // idempotent
        assertThat(cancelled.cancelled()).isTrue();
        blocker.countDown();
        drain(loop);
        assertThat(cancelledRan).isFalse();
        assertThat(otherRan).isTrue();
        assertThat(other.cancelled()).isFalse();
    }

    @Test
    void cancellingATimerPreventsIt() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        TimerHandle timer = loop.callLater(0.02, () -> ran.set(true));
        timer.cancel();
        assertThat(timer.cancelled()).isTrue();
        CompletableFuture<Void> after = new CompletableFuture<>();
        loop.callLater(0.1, () -> after.complete(null));
        await(after);
        assertThat(ran).isFalse();
    }

    @Test
    void cancellingATimerFromItsOwnLoopWorks() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        loop.callSoon(() -> {
            TimerHandle timer = loop.callLater(0.01, () -> ran.set(true));
            timer.cancel();
            cancelled.complete(timer.cancelled());
        });
        assertThat(await(cancelled)).isTrue();
        CompletableFuture<Void> after = new CompletableFuture<>();
        loop.callLater(0.08, () -> after.complete(null));
        await(after);
        assertThat(ran).isFalse();
    }

    @Test
    void cancellingAfterTheCallbackRanIsHarmless() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Handle handle = loop.callSoon(runs::incrementAndGet);
        TimerHandle timer = loop.callLater(0.0, runs::incrementAndGet);
        awaitCondition(() -> runs.get() == 2, "both callbacks");
        assertThatCode(() -> {
            handle.cancel();
            timer.cancel();
        }).doesNotThrowAnyException();
        drain(loop);
        assertThat(runs).hasValue(2);
    }

    @Test
    void timerHandleWhenIsTheRequestedLoopTime() {
        double before = loop.time();
        TimerHandle later = loop.callLater(5.0, () -> { });
        double after = loop.time();
        assertThat(later.when()).isBetween(before + 5.0, after + 5.0);
        TimerHandle at = loop.callAt(123.25, () -> { });
        assertThat(at.when()).isEqualTo(123.25);
        later.cancel();
        at.cancel();
    }

    // ---- futures and executors ------------------------------------------------------------------

    @Test
    void createFutureRunsAsyncContinuationsOnTheLoop() throws Exception {
        Thread thread = loopThread(loop);
        CompletableFuture<String> future = loop.createFuture();
        CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        CompletableFuture<Thread> chainedOn = new CompletableFuture<>();
        future.thenRunAsync(() -> ranOn.complete(Thread.currentThread()))
                .thenApplyAsync(v -> chainedOn.complete(Thread.currentThread()));
        assertThat(future.isDone()).isFalse();
        future.complete("x"); // from the test thread
        assertThat(await(ranOn)).isSameAs(thread);
        assertThat(await(chainedOn)).isSameAs(thread);
    }

    @Test
    void runInExecutorRunsOffTheLoopOnTheDefaultExecutor() throws Exception {
        Thread thread = loopThread(loop);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CompletableFuture<Integer> result = loop.runInExecutor(null, () -> {
            ranOn.set(Thread.currentThread());
            return 42;
        });
        assertThat(await(result)).isEqualTo(42);
        assertThat(ranOn.get()).isNotNull().isNotSameAs(thread).isNotSameAs(Thread.currentThread());
        // The returned future is a loop future: async continuations go to the loop.
        CompletableFuture<Thread> continuation = new CompletableFuture<>();
        result.thenRunAsync(() -> continuation.complete(Thread.currentThread()));
        assertThat(await(continuation)).isSameAs(thread);
    }

    @Test
    void runInExecutorReportsFailure() {
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> result = loop.runInExecutor(null, () -> {
            throw boom;
        });
        assertThatThrownBy(() -> result.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasCause(boom);
    }

    @Test
    void runInExecutorUsesAnExplicitExecutor() throws Exception {
        ExecutorService executor = newExecutor("explicit-executor");
        CompletableFuture<String> result = loop.runInExecutor(executor, () -> Thread.currentThread().getName());
        assertThat(await(result)).isEqualTo("explicit-executor");
    }

    @Test
    void setDefaultExecutorReplacesTheDefault() throws Exception {
        assertThat(await(loop.runInExecutor(null, () -> Thread.currentThread().getName())))
                .isNotEqualTo("my-default");
        loop.setDefaultExecutor(newExecutor("my-default"));
        assertThat(await(loop.runInExecutor(null, () -> Thread.currentThread().getName()))).isEqualTo("my-default");
        assertThatThrownBy(() -> loop.setDefaultExecutor(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- error handling -------------------------------------------------------------------------

    @Test
    void aThrowingCallbackGoesToTheExceptionHandlerAndTheLoopGoesOn() throws Exception {
        List<Map<String, Object>> contexts = new CopyOnWriteArrayList<>();
        List<EventLoop> handlerLoops = new CopyOnWriteArrayList<>();
        ExceptionHandler handler = (l, context) -> {
            handlerLoops.add(l);
            contexts.add(context);
        };
        loop.setExceptionHandler(handler);
        assertThat(loop.getExceptionHandler()).isSameAs(handler);

        RuntimeException boom = new RuntimeException("boom");
        Runnable thrower = () -> {
            throw boom;
        };
        Handle handle = loop.callSoon(thrower);
        AtomicBoolean nextRan = new AtomicBoolean();
        loop.callSoon(() -> nextRan.set(true));
        drain(loop);

        assertThat(nextRan).isTrue();
        assertThat(contexts).hasSize(1);
        Map<String, Object> context = contexts.get(0);
        assertThat(context).containsKeys("message", "exception", "handle");
        assertThat(context.get("message")).asString().contains("Exception in callback");
        assertThat(context.get("exception")).isSameAs(boom);
        assertThat(context.get("handle")).isSameAs(handle);
        assertThat(handlerLoops).containsExactly(loop);
    }

    @Test
    void aThrowingTimerGoesToTheExceptionHandlerWithItsHandle() throws Exception {
        CompletableFuture<Map<String, Object>> context = new CompletableFuture<>();
        loop.setExceptionHandler((l, c) -> context.complete(c));
        RuntimeException boom = new RuntimeException("timer boom");
        TimerHandle timer = loop.callLater(0.001, () -> {
            throw boom;
        });
        Map<String, Object> c = await(context);
        assertThat(c.get("exception")).isSameAs(boom);
        assertThat(c.get("handle")).isSameAs(timer);
        drain(loop);
    }

    @Test
    void setExceptionHandlerNullRestoresTheDefault() throws Exception {
        AtomicInteger customCalls = new AtomicInteger();
        loop.setExceptionHandler((l, c) -> customCalls.incrementAndGet());
        loop.setExceptionHandler(null);
        assertThat(loop.getExceptionHandler()).isNull();

        loop.callSoon(() -> {
            throw new IllegalStateException("to the default handler");
        });
        drain(loop);
        assertThat(customCalls).hasValue(0);
        assertThat(logEvents()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains("Exception in callback");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("to the default handler");
        });
    }

    @Test
    void aThrowingExceptionHandlerDoesNotKillTheLoop() throws Exception {
        AtomicInteger handlerCalls = new AtomicInteger();
        loop.setExceptionHandler((l, c) -> {
            handlerCalls.incrementAndGet();
            throw new IllegalStateException("handler broke");
        });
        loop.callSoon(() -> {
            throw new RuntimeException("first");
        });
        AtomicBoolean nextRan = new AtomicBoolean();
        loop.callSoon(() -> nextRan.set(true));
        drain(loop);
        assertThat(nextRan).isTrue();
        assertThat(handlerCalls).hasValue(1);
        // asyncio: the default handler reports the handler's own failure.
        assertThat(logEvents()).anySatisfy(e -> {
            assertThat(e.getFormattedMessage()).contains("Unhandled error in exception handler");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("handler broke");
        });
        // And it keeps working for later errors.
        loop.callSoon(() -> {
            throw new RuntimeException("second");
        });
        drain(loop);
        assertThat(handlerCalls).hasValue(2);
        assertThatCode(() -> loop.callExceptionHandler(Map.of("message", "direct"))).doesNotThrowAnyException();
        assertThat(handlerCalls).hasValue(3);
    }

    @Test
    void defaultExceptionHandlerLogsTheContext() {
        RuntimeException boom = new RuntimeException("kaboom");
        assertThatCode(() -> loop.defaultExceptionHandler(Map.of("message", "something failed", "exception", boom,
                "protocol", "my-protocol"))).doesNotThrowAnyException();
        assertThat(logEvents()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains("something failed").contains("protocol: my-protocol");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("kaboom");
        });
        assertThatCode(() -> loop.defaultExceptionHandler(Map.of("message", "no exception")))
                .doesNotThrowAnyException();
        assertThat(logEvents()).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("no exception"));
    }

    @Test
    void callExceptionHandlerWithoutAHandlerUsesTheDefaultAndNeverThrows() {
        loop.callExceptionHandler(Map.of("message", "reported"));
        assertThat(logEvents()).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("reported"));
        Object badValue = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("toString failed");
            }
        };
        assertThatCode(() -> loop.callExceptionHandler(Map.of("message", "bad", "protocol", badValue)))
                .doesNotThrowAnyException();
    }

    // ---- debug mode -----------------------------------------------------------------------------

    @Test
    void debugModeReportsSlowCallbacks() throws Exception {
        assertThat(loop.getDebug()).isFalse();
        assertThat(loop.getSlowCallbackDuration()).isEqualTo(Duration.ofMillis(100));
        loop.setDebug(true);
        loop.setSlowCallbackDuration(Duration.ofMillis(10));
        assertThat(loop.getDebug()).isTrue();
        assertThat(loop.getSlowCallbackDuration()).isEqualTo(Duration.ofMillis(10));

        Runnable slow = new Runnable() {
            @Override
            public void run() {
                sleep(50);
            }

            @Override
            public String toString() {
                return "the-slow-callback";
            }
        };
        loop.callSoon(slow);
        drain(loop);

        Pattern pattern = Pattern.compile("Executing .*the-slow-callback.* took (\\d+\\.\\d{3}) seconds");
        List<ILoggingEvent> warnings = logEvents().stream()
                .filter(e -> e.getLevel() == Level.WARN && pattern.matcher(e.getFormattedMessage()).find())
                .toList();
        assertThat(warnings).hasSize(1);
        Matcher m = pattern.matcher(warnings.get(0).getFormattedMessage());
        assertThat(m.find()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(0.05);
        assertThat(warnings.get(0).getLoggerName()).isEqualTo(LOGGER);
    }

    @Test
    void slowCallbacksAreNotReportedOutsideDebugMode() throws Exception {
        loop.setSlowCallbackDuration(Duration.ofMillis(1));
        loop.callSoon(() -> sleep(20));
        drain(loop);
        assertThat(logEvents()).noneSatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("Executing"));
    }

    @Test
    void debugOptionTurnsDebugModeOn() {
        EventLoop debugLoop = newLoop(LoopOptions.builder().debug(true)
                .slowCallbackDuration(Duration.ofMillis(250)).build());
        assertThat(debugLoop.getDebug()).isTrue();
        assertThat(debugLoop.getSlowCallbackDuration()).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> debugLoop.setSlowCallbackDuration(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> debugLoop.setSlowCallbackDuration(null)).isInstanceOf(NullPointerException.class);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- runForever / stop / runUntilComplete ---------------------------------------------------

    @Test
    void stopMakesRunForeverReturn() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            loop.runForever();
            returned.countDown();
        }, "run-forever");
        runner.start();
        assertThat(returned.await(100, TimeUnit.MILLISECONDS)).as("runForever returned before stop()").isFalse();
        assertThat(loop.isRunning()).isTrue();
        loop.stop();
        await(returned);
        // Callbacks keep running after stop(): the loop runs until close().
        drain(loop);
        assertThat(loop.isRunning()).isTrue();
    }

    @Test
    void stopFromACallbackMakesRunForeverReturn() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            loop.runForever();
            returned.countDown();
        }, "run-forever");
        runner.start();
        loop.callLater(0.05, loop::stop);
        await(returned);
    }

    @Test
    void stopBeforeRunForeverMakesTheNextRunForeverReturn() throws Exception {
        // asyncio's idiom: the stop may well run before runForever() is entered.
        loop.callSoon(loop::stop);
        drain(loop);
        CompletableFuture<Void> first = CompletableFuture.runAsync(loop::runForever);
        await(first);
        // The pending stop was consumed: the next runForever blocks until the next stop.
        CountDownLatch returned = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            loop.runForever();
            returned.countDown();
        }, "run-forever-2");
        runner.start();
        assertThat(returned.await(100, TimeUnit.MILLISECONDS)).isFalse();
        loop.stop();
        await(returned);
    }

    @Test
    void closeMakesRunForeverReturn() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        Thread runner = new Thread(() -> {
            loop.runForever();
            returned.countDown();
        }, "run-forever");
        runner.start();
        assertThat(returned.await(50, TimeUnit.MILLISECONDS)).isFalse();
        loop.close();
        await(returned);
    }

    @Test
    void runUntilCompleteReturnsTheResult() {
        CompletableFuture<String> future = loop.createFuture();
        loop.callLater(0.02, () -> future.complete("done"));
        assertThat(loop.runUntilComplete(future)).isEqualTo("done");
        assertThat(loop.runUntilComplete(CompletableFuture.completedFuture(7))).isEqualTo(7);
    }

    @Test
    void runUntilCompleteRethrowsTheFailure() {
        CompletableFuture<String> future = loop.createFuture();
        IllegalStateException boom = new IllegalStateException("failed");
        loop.callLater(0.02, () -> future.completeExceptionally(boom));
        assertThatThrownBy(() -> loop.runUntilComplete(future))
                .isInstanceOf(CompletionException.class)
                .hasCause(boom);
    }

    @Test
    void runUntilCompleteOnALoopThreadThrows() throws Exception {
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        loop.callSoon(() -> {
            try {
                loop.runUntilComplete(CompletableFuture.completedFuture(1));
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        assertThat(await(thrown)).isInstanceOf(IllegalStateException.class);
        CompletableFuture<Throwable> forever = new CompletableFuture<>();
        loop.callSoon(() -> {
            try {
                loop.runForever();
                forever.complete(null);
            } catch (Throwable t) {
                forever.complete(t);
            }
        });
        assertThat(await(forever)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void runUntilCompleteOnAnotherMembersThreadThrows() throws Exception {
        EventLoop group = newLoop(LoopOptions.builder().threads(2).build());
        EventLoop second = group.members().get(1);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        second.callSoon(() -> {
            try {
                group.runUntilComplete(new CompletableFuture<>());
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        assertThat(await(thrown)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void runUntilCompleteReturnsWhenTheLoopIsClosed() throws Exception {
        CompletableFuture<Object> never = loop.createFuture();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                loop.runUntilComplete(never);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertThat(outcome.isDone()).isFalse();
        loop.close();
        assertThat(await(outcome)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.runUntilComplete(new CompletableFuture<>()))
                .isInstanceOf(IllegalStateException.class);
    }

    // ---- close ----------------------------------------------------------------------------------

    @Test
    void closeIsIdempotentAndFlipsTheFlags() {
        assertThat(loop.isRunning()).isTrue();
        assertThat(loop.isClosed()).isFalse();
        loop.close();
        assertThat(loop.isRunning()).isFalse();
        assertThat(loop.isClosed()).isTrue();
        assertThatCode(loop::close).doesNotThrowAnyException();
        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void schedulingAfterCloseThrows() {
        loop.close();
        assertThatThrownBy(() -> loop.callSoon(() -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.callSoonThreadsafe(() -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.callLater(0.1, () -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.callAt(loop.time(), () -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> loop.runInExecutor(null, () -> 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeFromALoopCallbackDoesNotDeadlockAndLaterCallSoonThrows() throws Exception {
        CompletableFuture<Throwable> afterClose = new CompletableFuture<>();
        loop.callSoon(() -> {
            loop.close();
            try {
                loop.callSoon(() -> { });
                afterClose.complete(null);
            } catch (Throwable t) {
                afterClose.complete(t);
            }
        });
        assertThat(await(afterClose)).isInstanceOf(IllegalStateException.class);
        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void closeDropsPendingCallbacks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.callSoon(() -> {
            started.countDown();
            try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicBoolean pendingRan = new AtomicBoolean();
        loop.callSoon(() -> pendingRan.set(true));
        AtomicBoolean timerRan = new AtomicBoolean();
        loop.callLater(0.0, () -> timerRan.set(true));
        await(started);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(loop::close);
        awaitCondition(loop::isClosed, "close() to start");
        release.countDown();
        await(closing);
        assertThat(pendingRan).isFalse();
        assertThat(timerRan).isFalse();
    }

    @Test
    void tryWithResourcesClosesTheLoop() {
        EventLoop l;
        try (EventLoop scoped = EventLoop.create()) {
            l = scoped;
            assertThat(scoped.isRunning()).isTrue();
        }
        assertThat(l.isClosed()).isTrue();
    }

    // ---- groups ---------------------------------------------------------------------------------

    @Test
    void aGroupOfThreeHasThreeMembersOnDistinctThreads() throws Exception {
        EventLoop group = newLoop(LoopOptions.builder().threads(3).threadNamePrefix("grp").build());
        List<EventLoop> members = group.members();
        assertThat(members).hasSize(3).doesNotHaveDuplicates();

        List<Thread> threads = new ArrayList<>();
        for (EventLoop member : members) {
            assertThat(member.members()).containsExactly(member);
            assertThat(member.transportType()).isEqualTo(group.transportType());
            Thread thread = loopThread(member);
            assertThat(thread.getName()).startsWith("grp-");
            threads.add(thread);
            // Every callback of a member, soon or timed, runs on that member's thread.
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 100; i++) {
                member.callSoon(() -> {
                    seen.add(Thread.currentThread());
                    done.countDown();
                });
                member.callLater(0.001 * (i % 5), () -> {
                    seen.add(Thread.currentThread());
                    done.countDown();
                });
            }
            await(done);
            assertThat(seen).containsExactly(thread);
        }
        assertThat(new HashSet<>(threads)).hasSize(3);
        assertThat(threads).doesNotContain(Thread.currentThread());
        // The facade schedules on the first member (one FIFO queue for the group object).
        assertThat(loopThread(group)).isSameAs(threads.get(0));
    }

    @Test
    void closingTheGroupClosesEveryMember() {
        EventLoop group = newLoop(LoopOptions.builder().threads(2).build());
        group.close();
        assertThat(group.members()).allSatisfy(m -> {
            assertThat(m.isClosed()).isTrue();
            assertThatThrownBy(() -> m.callSoon(() -> { })).isInstanceOf(IllegalStateException.class);
        });
    }

    // ---- options --------------------------------------------------------------------------------

    @Test
    void loopOptionsDefaults() {
        LoopOptions defaults = LoopOptions.DEFAULT;
        assertThat(defaults.threads()).isEqualTo(1);
        assertThat(defaults.transport()).isEqualTo(LoopTransport.AUTO);
        assertThat(defaults.debug()).isFalse();
        assertThat(defaults.slowCallbackDuration()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.threadNamePrefix()).isEqualTo("protoloop");
        assertThat(newLoop(defaults).members()).hasSize(1);
    }

    @Test
    void loopOptionsValidation() {
        assertThatThrownBy(() -> LoopOptions.builder().threads(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> LoopOptions.builder().threads(-2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> LoopOptions.builder().slowCallbackDuration(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slowCallbackDuration");
        assertThatThrownBy(() -> LoopOptions.builder().transport(null).build())
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> LoopOptions.builder().threadNamePrefix(null).build())
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> EventLoop.create(null)).isInstanceOf(NullPointerException.class);
    }
}
