package io.protoloop;

import io.protoloop.internal.signal.UnixSignals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * asyncio's {@code add_signal_handler}/{@code remove_signal_handler}.
 *
 * <p>Safety: this JVM is the build's test JVM. Only SIGWINCH and SIGURG are ever sent, signals
 * whose default action is to be ignored, so a signal that arrived after its handler went would do
 * nothing. (SIGUSR1/SIGUSR2 would be the classic choice, but SIGUSR1's default kills the process and
 * HotSpot uses SIGUSR2 itself.)
 */
class LowLevelSignalTest extends LowLevelTestBase {

    private static final Signal WINCH = new Signal("WINCH");
    private static final Signal URG = new Signal("URG");

    @AfterEach
    void nothingLeftInstalled() {
        assertThat(UnixSignals.installed()).doesNotContainKeys(WINCH.getNumber(), URG.getNumber());
    }

    /** Sends {@code signal} to this JVM from outside, as a user's {@code kill} would. */
    private static void kill(Signal signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", signal.getName(), Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    @Test
    void aSignalFromOutsideRunsTheCallbackOnTheLoop() throws Exception {
        CompletableFuture<Thread> called = new CompletableFuture<>();
        loop.addSignalHandler(WINCH.getNumber(), () -> called.complete(Thread.currentThread()));
        assertThat(UnixSignals.installed()).containsEntry(WINCH.getNumber(), 1);

        kill(WINCH);

        assertThat(get(called)).isSameAs(loopThread);
        assertThat(loop.removeSignalHandler(WINCH.getNumber())).isTrue();
        assertThat(loop.removeSignalHandler(WINCH.getNumber())).isFalse();
    }

    @Test
    void theCallbackRunsForEverySignal() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        loop.addSignalHandler(URG.getNumber(), calls::incrementAndGet);
        for (int i = 1; i <= 3; i++) {
            Signal.raise(URG);
            int expected = i;
            await(() -> calls.get() == expected, "signal " + i);
        }
        assertThat(loop.removeSignalHandler(URG.getNumber())).isTrue();
    }

    @Test
    void aSecondHandlerReplacesTheFirst() throws Exception {
        AtomicInteger first = new AtomicInteger();
        CompletableFuture<Void> second = new CompletableFuture<>();
        loop.addSignalHandler(URG.getNumber(), first::incrementAndGet);
        loop.addSignalHandler(URG.getNumber(), () -> second.complete(null));
        assertThat(UnixSignals.installed()).containsEntry(URG.getNumber(), 1);
        Signal.raise(URG);
        get(second);
        assertThat(first.get()).isZero();
        assertThat(loop.removeSignalHandler(URG.getNumber())).isTrue();
    }

    @Test
    void everyLoopThatAddedAHandlerHearsTheSignal() throws Exception {
        EventLoop other = newLoop(LoopOptions.DEFAULT);
        Thread otherThread = threadOf(other);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        loop.addSignalHandler(URG.getNumber(), () -> threads.add(Thread.currentThread()));
        other.addSignalHandler(URG.getNumber(), () -> threads.add(Thread.currentThread()));
        assertThat(UnixSignals.installed()).containsEntry(URG.getNumber(), 2);

        Signal.raise(URG);
        await(() -> threads.size() == 2, "both loops");
        assertThat(threads).containsExactlyInAnyOrder(loopThread, otherThread);

        assertThat(other.removeSignalHandler(URG.getNumber())).isTrue();
        assertThat(UnixSignals.installed()).containsEntry(URG.getNumber(), 1);
        assertThat(loop.removeSignalHandler(URG.getNumber())).isTrue();
    }

    @Test
    void removingTheLastHandlerOrClosingTheLoopRestoresThePreviousHandler() throws Exception {
        List<String> previous = new CopyOnWriteArrayList<>();
        SignalHandler original = Signal.handle(URG, sig -> previous.add("previous"));
        try {
            CompletableFuture<Void> ours = new CompletableFuture<>();
            loop.addSignalHandler(URG.getNumber(), () -> ours.complete(null));
            Signal.raise(URG);
            get(ours);
            assertThat(previous).isEmpty();

            loop.close();
            assertThat(UnixSignals.installed()).doesNotContainKey(URG.getNumber());
            Signal.raise(URG);
            await(() -> previous.size() == 1, "the previous handler to be back");
            assertThat(loop.removeSignalHandler(URG.getNumber())).isFalse();
            assertThatThrownBy(() -> loop.addSignalHandler(URG.getNumber(), () -> { }))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            Signal.handle(URG, original);
        }
    }

    @Test
    void aThrowingHandlerGoesToTheExceptionHandler() throws Exception {
        RuntimeException boom = new RuntimeException("boom");
        loop.addSignalHandler(URG.getNumber(), () -> {
            throw boom;
        });
        Signal.raise(URG);
        await(() -> !handled.isEmpty(), "the exception handler");
        assertThat(handled.get(0).get("exception")).isSameAs(boom);
        assertThat(loop.removeSignalHandler(URG.getNumber())).isTrue();
    }

    @Test
    void signalsTheJvmKeepsAreRefusedWithTheReason() {
        assertRefused("KILL", "no process can catch it");
        assertRefused("STOP", "no process can catch it");
        assertRefused("QUIT", "thread dumps");
        assertRefused("SEGV", "internally");
        assertRefused("FPE", "internally");
        assertRefused("BUS", "memory-mapped");
        assertRefused("USR2", "suspend");
        assertRefused("PIPE", "IOException");
        for (int notASignal : new int[]{0, -1, 99, 1000}) {
            assertThatThrownBy(() -> loop.addSignalHandler(notASignal, () -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a signal");
            assertThatThrownBy(() -> loop.removeSignalHandler(notASignal))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(loop.removeSignalHandler(WINCH.getNumber())).isFalse();
        assertThatThrownBy(() -> loop.addSignalHandler(WINCH.getNumber(), null))
                .isInstanceOf(NullPointerException.class);
        assertThat(UnixSignals.installed()).isEmpty();
    }

    private void assertRefused(String name, String reason) {
        int number = new Signal(name).getNumber();
        assertThatThrownBy(() -> loop.addSignalHandler(number, () -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SIG" + name)
                .hasMessageContaining(reason);
    }
}
