package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.SubprocessOptions;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.testsupport.ProcFs;
import io.protoloop.testsupport.RecordingSubprocessProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signals, return codes, close, loop close, many children, bad input; and nothing left behind. */
class SubprocessLifecycleTest extends SubprocessTestBase {

    private static final int SIGHUP = 1;
    private static final int SIGUSR1 = 10;

    @Test
    void terminateKillAndSendSignalGiveMinusTheSignal() throws Exception {
        assertThat(killedWith(p -> p.transport.terminate())).isEqualTo(-15);
        assertThat(killedWith(p -> p.transport.kill())).isEqualTo(-9);
        assertThat(killedWith(p -> p.transport.sendSignal(SIGUSR1))).isEqualTo(-SIGUSR1);
        assertThat(killedWith(p -> p.transport.sendSignal(SIGHUP))).isEqualTo(-SIGHUP);
        assertThat(handled).isEmpty();
    }

    private int killedWith(ThrowingAction action) throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");
        action.run(p);
        assertThat(p.awaitLost()).isNull();
        assertThat(p.events).containsOnlyOnce("processExited", "pipeConnectionLost0", "pipeConnectionLost1",
                "pipeConnectionLost2");
        assertNothingLeft(p);
        return p.transport.getReturncode();
    }

    interface ThrowingAction {
        void run(RecordingSubprocessProtocol p) throws Exception;
    }

    @Test
    void aSignalTheChildHandlesLeavesItsExitCodeAndOutput() throws Exception {
        RecordingSubprocessProtocol p = shell("trap 'echo bye; exit 7' TERM; echo ready; while :; do sleep 0.01; done");
        await(() -> p.output(1).equals("ready\n"), "the trap to be set");

        p.transport.terminate();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("ready\nbye\n");
        assertThat(p.transport.getReturncode()).isEqualTo(7);
    }

    @Test
    void anExitStatusOver128WithoutASignalSentIsReportedAsIs() throws Exception {
        // The documented limit: without a native wait, 143 = 128 + SIGTERM is only -15 when we sent it.
        RecordingSubprocessProtocol p = shell("exit 143");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.transport.getReturncode()).isEqualTo(143);
    }

    @Test
    void signalsAfterConnectionLostThrowAndBeforeAreIgnoredOnceExited() throws Exception {
        RecordingSubprocessProtocol p = exec("true");
        p.exited.get(10, TimeUnit.SECONDS);
        assertThat(p.awaitLost()).isNull();

        assertThatThrownBy(() -> p.transport.kill()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("process " + p.transport.getPid());
        assertThatThrownBy(() -> p.transport.terminate()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.transport.sendSignal(SIGUSR1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.transport.sendSignal(65)).isInstanceOf(IllegalArgumentException.class);
        assertThat(p.transport.getReturncode()).isZero();
    }

    @Test
    void signalZeroOnlyChecksTheChild() throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");
        p.transport.sendSignal(0);
        assertThat(p.transport.getReturncode()).isNull();
        p.transport.close();
        assertThat(p.awaitLost()).isNull();
    }

    /** asyncio's test_close_kill_running: close() kills, and every callback still comes. */
    @Test
    void closeOnARunningChildKillsItAndStillReportsTheExit() throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");
        long pid = p.transport.getPid();
        assertThat(ProcFs.threads("protoloop-pipe-" + pid + "-")).containsExactly(
                "protoloop-pipe-" + pid + "-1", "protoloop-pipe-" + pid + "-2");

        p.transport.close();
        p.transport.close();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.transport.isClosing()).isTrue();
        assertThat(p.transport.getReturncode()).isEqualTo(-9);
        assertThat(p.events.get(0)).isEqualTo("connectionMade");
        assertThat(p.events).containsOnlyOnce("processExited", "pipeConnectionLost0", "pipeConnectionLost1",
                "pipeConnectionLost2").endsWith("connectionLost");
        for (int fd = 0; fd < 3; fd++) {
            assertThat(p.pipeLost[fd].get()).isNull();
        }
        assertNothingLeft(p);
        ProcFs.assertNoZombieChildren();
    }

    /** asyncio's test_close_dont_kill_finished. */
    @Test
    void closeAfterTheExitKillsNothing() throws Exception {
        RecordingSubprocessProtocol p = exec("true");
        assertThat(p.awaitLost()).isNull();

        p.transport.close();

        assertThat(p.transport.getReturncode()).isZero();
        assertThat(handled).isEmpty();
    }

    @Test
    void closeWithStdinUnwrittenReportsTheBrokenPipe() throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");
        WriteTransport stdin = (WriteTransport) p.transport.getPipeTransport(0);
        stdin.write(new byte[1024 * 1024]);

        p.transport.close();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.pipeLost[0].get()).isInstanceOf(IOException.class).hasMessageContaining("Broken pipe");
        assertThat(p.transport.getReturncode()).isEqualTo(-9);
        assertNothingLeft(p);
    }

    /**
     * asyncio reports the exit even when a grandchild still holds the pipes; connectionLost waits for
     * the pipes (or close()). The JDK may also cut the pipes itself at the child's exit (its reaper
     * drains and closes them unless a read is in progress), so the pipes may or may not be closed by
     * the time the exit is reported. The reader threads end once the grandchild lets go.
     */
    @Test
    void theExitIsReportedWhileAGrandchildHoldsThePipes() throws Exception {
        RecordingSubprocessProtocol p = shell("sleep 30 & echo $!");
        await(() -> p.output(1).endsWith("\n"), "the grandchild's pid");
        long grandchild = Long.parseLong(p.output(1).strip());
        try {
            p.exited.get(10, TimeUnit.SECONDS);
            assertThat(p.transport.getReturncode()).isZero();

            p.transport.close();

            assertThat(p.awaitLost()).isNull();
            assertThat(p.events).containsOnlyOnce("pipeConnectionLost1", "pipeConnectionLost2");
        } finally {
            ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroy);
        }
        assertNothingLeft(p);
    }

    @Test
    void killingAChildWhoseOutputIsPausedStillReportsTheExit() throws Exception {
        RecordingSubprocessProtocol p = exec("sh", "-c", "printf early; exec sleep 30");
        ReadTransport stdout = (ReadTransport) p.transport.getPipeTransport(1);
        await(() -> p.output(1).equals("early"), "the first output");
        stdout.pauseReading();
        await(() -> !stdout.isReading(), "the pause");

        p.transport.kill();

        p.exited.get(10, TimeUnit.SECONDS);
        assertThat(p.transport.getReturncode()).isEqualTo(-9);
        stdout.resumeReading();
        assertThat(p.awaitLost()).isNull();
        assertNothingLeft(p);
    }

    @Test
    void closingTheLoopKillsEveryChildAndEndsEveryPipeThread() throws Exception {
        EventLoop other = EventLoop.create();
        List<RecordingSubprocessProtocol> children = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            children.add(other.subprocessExec(RecordingSubprocessProtocol::new, List.of("sleep", "30"))
                    .get(10, TimeUnit.SECONDS).protocol());
        }
        // One with a writer thread blocked on a full stdin.
        RecordingSubprocessProtocol blocked = other.subprocessExec(RecordingSubprocessProtocol::new,
                List.of("sleep", "30")).get(10, TimeUnit.SECONDS).protocol();
        ((WriteTransport) blocked.transport.getPipeTransport(0)).write(new byte[1024 * 1024]);
        children.add(blocked);
        long blockedPid = blocked.transport.getPid();
        await(() -> ProcFs.threads("protoloop-pipe-" + blockedPid + "-0").size() == 1, "the stdin writer thread");

        other.close();

        for (RecordingSubprocessProtocol p : children) {
            assertNothingLeft(p);
        }
        ProcFs.assertNoZombieChildren();
    }

    @Test
    void runsTwoHundredShortChildrenAtOnce() throws Exception {
        int n = 200;
        List<CompletableFuture<Connection<SubprocessTransport, RecordingSubprocessProtocol>>> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            started.add(loop.subprocessExec(RecordingSubprocessProtocol::new, List.of("printf", "%s", "child " + i)));
        }
        List<RecordingSubprocessProtocol> protocols = new ArrayList<>();
        for (var f : started) {
            protocols.add(f.get(30, TimeUnit.SECONDS).protocol());
        }
        for (int i = 0; i < n; i++) {
            RecordingSubprocessProtocol p = protocols.get(i);
            assertThat(p.awaitLost()).isNull();
            assertThat(p.output(1)).isEqualTo("child " + i);
            assertThat(p.transport.getReturncode()).isZero();
        }
        for (RecordingSubprocessProtocol p : protocols) {
            assertNothingLeft(p);
        }
        ProcFs.assertNoZombieChildren();
        assertThat(handled).isEmpty();
    }

    // ---- bad input --------------------------------------------------------------------------------

    @Test
    void aMissingProgramFailsTheFutureAndTheLoopGoesOn() {
        assertThatThrownBy(() -> exec("/no/such/program", "arg"))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("/no/such/program")
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> exec("no-such-program-on-the-path"))
                .cause().isInstanceOf(FileNotFoundException.class).hasMessageContaining("no-such-program-on-the-path");
        assertTheLoopStillWorks();
    }

    @Test
    void aNonExecutableFileFailsTheFuture(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> exec(script.toString()))
                .cause().isInstanceOf(IOException.class)
                .hasMessageContaining(script.toString())
                .hasMessageContaining("cannot be executed")
                .hasMessageContaining("Permission denied");
        assertTheLoopStillWorks();
    }

    @Test
    void aBadWorkingDirectoryFailsTheFuture(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing");
        Path file = Files.writeString(dir.resolve("file"), "");

        assertThatThrownBy(() -> exec(RecordingSubprocessProtocol::new,
                SubprocessOptions.builder().cwd(missing).build(), "true"))
                .cause().isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("[true]").hasMessageContaining(missing + " does not exist");
        assertThatThrownBy(() -> exec(RecordingSubprocessProtocol::new,
                SubprocessOptions.builder().cwd(file).build(), "true"))
                .cause().isInstanceOf(FileNotFoundException.class).hasMessageContaining(file + " is not a directory");
        assertTheLoopStillWorks();
    }

    @Test
    void aMissingInputFileFailsTheFuture(@TempDir Path dir) {
        Path missing = dir.resolve("in.txt");
        assertThatThrownBy(() -> exec(RecordingSubprocessProtocol::new,
                SubprocessOptions.builder().stdin(missing).build(), "cat"))
                .cause().isInstanceOf(IOException.class).hasMessageContaining("[cat]").hasMessageContaining(
                        missing.toString());
        assertTheLoopStillWorks();
    }

    @Test
    void aThrowingFactoryFailsTheFutureBeforeAnythingStarts() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<?> f = loop.subprocessExec(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("no protocol today");
        }, List.of("true"));

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class)
                .hasMessage("no protocol today");
        assertThat(calls.get()).isOne();
        assertThatThrownBy(() -> loop.subprocessExec(() -> null, List.of("true")).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("returned null");
    }

    @Test
    void argumentErrorsThrowAtOnce() {
        assertThatThrownBy(() -> loop.subprocessExec(RecordingSubprocessProtocol::new, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.subprocessExec(null, List.of("true")))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> loop.subprocessShell(RecordingSubprocessProtocol::new, null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aClosedLoopFailsTheFuture() {
        EventLoop closed = EventLoop.create();
        closed.close();

        assertThatThrownBy(() -> closed.subprocessExec(RecordingSubprocessProtocol::new, List.of("true"))
                .get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class);
    }

    private void assertTheLoopStillWorks() {
        try {
            CompletableFuture<String> ran = new CompletableFuture<>();
            loop.callSoon(() -> ran.complete("ran"));
            assertThat(ran.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
            RecordingSubprocessProtocol p = shell("printf ok");
            assertThat(p.awaitLost()).isNull();
            assertThat(p.output(1)).isEqualTo("ok");
            assertThat(handled).isEmpty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSubprocessProtocolDefaultsAreNoOps() throws Exception {
        CompletableFuture<Void> lost = new CompletableFuture<>();
        var c = loop.subprocessExec(() -> new SubprocessProtocol() {
            @Override
            public void connectionLost(Throwable exc) {
                lost.complete(null);
            }
        }, List.of("printf", "ignored")).get(10, TimeUnit.SECONDS);
        lost.get(10, TimeUnit.SECONDS);
        assertThat(c.transport().getReturncode()).isZero();
        assertThat(new String(new byte[0], StandardCharsets.UTF_8)).isEmpty();
    }
}
