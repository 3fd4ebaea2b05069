package io.protoloop.transport;

import io.protoloop.Redirect;
import io.protoloop.SubprocessOptions;
import io.protoloop.testsupport.OnLoop;
import io.protoloop.testsupport.RecordingSubprocessProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TransportStatistics} of a child process and of its pipes: exact byte counts in and out,
 * stdin's write buffer and pause, stdout's and stderr's pause, closing, ids. Exact values are read
 * from snapshots taken on the loop.
 */
class SubprocessStatisticsTest extends SubprocessTestBase {

    private static final int MIB = 1024 * 1024;

    private static TransportSnapshot snapshotOnLoop(BaseTransport transport) throws Exception {
        return OnLoop.snapshot(transport);
    }

    private static <T> T onLoop(BaseTransport transport, Supplier<T> action) throws Exception {
        return OnLoop.run(transport, action);
    }

    private static TransportSnapshot pipe(SubprocessTransport transport, int fd) throws Exception {
        return snapshotOnLoop(transport.getPipeTransport(fd));
    }

    @Test
    void countsEveryByteInToStdinAndOutOfStdoutAndStderr() throws Exception {
        byte[] input = new byte[300_000];
        new Random(7).nextBytes(input);
        Instant before = Instant.now();
        RecordingSubprocessProtocol p = exec("sh", "-c", "cat; printf oops >&2");
        SubprocessTransport t = p.transport;

        TransportSnapshot fresh = snapshotOnLoop(t);
        assertThat(fresh.kind()).isEqualTo("subprocess");
        assertThat(fresh.bytesSent()).isZero();
        assertThat(fresh.openedAt()).isNotNull().isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
        assertThat(fresh.peername()).isNull();
        assertThat(fresh.sockname()).isNull();
        assertThat(fresh.tls()).isFalse();
        assertThat(fresh.closing()).isFalse();
        assertThat(fresh.readingPaused()).isFalse();
        assertThat(fresh.writingPaused()).isFalse();
        assertThat(fresh.writeBufferLimits()).isEqualTo(WriteBufferLimits.DEFAULT);

        WriteTransport stdin = (WriteTransport) t.getPipeTransport(0);
        stdin.write(input);
        stdin.writeEof();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.received(1)).isEqualTo(input);
        assertThat(p.output(2)).isEqualTo("oops");
        TransportSnapshot done = snapshotOnLoop(t);
        assertThat(done.bytesSent()).isEqualTo(input.length);
        assertThat(done.bytesReceived()).isEqualTo(input.length + 4);
        assertThat(done.writeBufferSize()).isZero();
        assertThat(done.closing()).as("lost").isTrue();
        assertThat(done.id()).isEqualTo(fresh.id());
        assertThat(done.openedAt()).isEqualTo(fresh.openedAt());
        assertThat(t.isClosing()).as("asyncio: is_closing() only after close()").isFalse();

        TransportSnapshot in = pipe(t, 0);
        TransportSnapshot out = pipe(t, 1);
        TransportSnapshot err = pipe(t, 2);
        assertThat(List.of(in.kind(), out.kind(), err.kind())).containsOnly("pipe");
        assertThat(in.bytesSent()).isEqualTo(input.length);
        assertThat(in.bytesReceived()).isZero();
        assertThat(out.bytesReceived()).isEqualTo(input.length);
        assertThat(err.bytesReceived()).isEqualTo(4);
        assertThat(out.bytesSent()).isZero();
        assertThat(out.writeBufferLimits()).as("a read pipe has no write buffer").isNull();
        assertThat(List.of(in.closing(), out.closing(), err.closing())).containsOnly(true);
        assertThat(in.openedAt()).isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
        // Each pipe has an id of its own, after the child's: ids follow creation order.
        assertThat(List.of(fresh.id(), in.id(), out.id(), err.id())).doesNotHaveDuplicates().isSorted();
        assertThat(handled).isEmpty();
        assertNothingLeft(p);
    }

    /**
     * A child that does not read its stdin yet, under tiny limits: one 256 KiB write pauses the
     * protocol and stays buffered whole (the writer thread's blocking write has not returned); once
     * the child reads, the buffer drains, the protocol resumes and the bytes count as sent.
     */
    @Test
    void stdinOfAChildThatDoesNotReadShowsWritingPausedUntilItReads(@TempDir Path dir) throws Exception {
        Path go = dir.resolve("go");
        int size = 256 * 1024;
        RecordingSubprocessProtocol p = exec(RecordingSubprocessProtocol::new,
                SubprocessOptions.builder().stdinWriteBufferLimits(1000, 100).build(), "sh", "-c",
                "while [ ! -e '" + go + "' ]; do sleep 0.05; done; exec cat >/dev/null");
        SubprocessTransport t = p.transport;
        WriteTransport stdin = (WriteTransport) t.getPipeTransport(0);

        TransportSnapshot[] paused = onLoop(t, () -> {
            stdin.write(new byte[size]);
            return new TransportSnapshot[] {((TransportStatistics) t).snapshot(),
                    ((TransportStatistics) stdin).snapshot()};
        });
        for (TransportSnapshot s : paused) {
            assertThat(s.writingPaused()).isTrue();
            assertThat(s.writeBufferSize()).isEqualTo(size).isGreaterThan(s.writeBufferLimits().high());
            assertThat(s.writeBufferLimits()).isEqualTo(new WriteBufferLimits(100, 1000));
            assertThat(s.bytesSent()).isZero();
            assertThat(s.closing()).isFalse();
        }
        assertThat(paused[0].kind()).isEqualTo("subprocess");
        assertThat(paused[1].kind()).isEqualTo("pipe");
        assertThat(p.events).contains("pauseWriting").doesNotContain("resumeWriting");
        // Read off the loop, the published values: the child still does not read, so they stay.
        TransportSnapshot offLoop = ((TransportStatistics) t).snapshot();
        assertThat(offLoop.writingPaused()).isTrue();
        assertThat(offLoop.writeBufferSize()).isEqualTo(size);

        Files.createFile(go);
        await(() -> p.events.contains("resumeWriting"), "resumeWriting once the child reads");
        TransportSnapshot resumed = snapshotOnLoop(t);
        assertThat(resumed.writingPaused()).isFalse();
        assertThat(resumed.writeBufferSize()).isZero();
        assertThat(resumed.bytesSent()).isEqualTo(size);
        assertThat(pipe(t, 0).bytesSent()).isEqualTo(size);

        stdin.writeEof();
        assertThat(p.awaitLost()).isNull();
        assertThat(p.transport.getReturncode()).isZero();
        assertThat(snapshotOnLoop(t).closing()).isTrue();
        assertThat(handled).isEmpty();
        assertNothingLeft(p);
    }

    /**
     * asyncio's subprocess transport has no {@code pause_reading}; the protocol pauses a pipe
     * ({@code getPipeTransport(fd).pauseReading()}), and the child's snapshot says reading is paused.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void readingPausedWhileTheProtocolPausedStdoutOrStderr(int fd) throws Exception {
        RecordingSubprocessProtocol p = exec(() -> new RecordingSubprocessProtocol() {
            @Override
            public void connectionMade(SubprocessTransport transport) {
                ((ReadTransport) transport.getPipeTransport(fd)).pauseReading();
                super.connectionMade(transport);
            }
        }, SubprocessOptions.DEFAULT, "sh", "-c", "head -c " + MIB + " /dev/zero >&" + fd);
        SubprocessTransport t = p.transport;

        TransportSnapshot paused = snapshotOnLoop(t);
        assertThat(paused.readingPaused()).isTrue();
        assertThat(paused.closing()).isFalse();
        // Paused before reading started: the reader thread read nothing.
        assertThat(paused.bytesReceived()).isZero();
        assertThat(pipe(t, fd).readingPaused()).isTrue();
        assertThat(pipe(t, 3 - fd).readingPaused()).isFalse();

        ((ReadTransport) t.getPipeTransport(fd)).resumeReading();
        assertThat(snapshotOnLoop(t).readingPaused()).isFalse();
        assertThat(p.awaitLost()).isNull();
        TransportSnapshot done = snapshotOnLoop(t);
        assertThat(done.bytesReceived()).isEqualTo(MIB);
        assertThat(pipe(t, fd).bytesReceived()).isEqualTo(MIB);
        assertThat(pipe(t, 3 - fd).bytesReceived()).isZero();
        assertThat(done.readingPaused()).isFalse();
        assertNothingLeft(p);
    }

    @Test
    void closeMakesTheSnapshotClosingAndEveryIdIsUnique() throws Exception {
        List<RecordingSubprocessProtocol> children = new ArrayList<>();
        children.add(exec("sleep", "30"));
        children.add(exec("sleep", "30"));
        List<Long> ids = new ArrayList<>();
        for (RecordingSubprocessProtocol child : children) {
            SubprocessTransport t = child.transport;
            assertThat(snapshotOnLoop(t).closing()).isFalse();
            ids.add(snapshotOnLoop(t).id());
            for (int fd = 0; fd < 3; fd++) {
                ids.add(pipe(t, fd).id());
            }
        }
        assertThat(ids).hasSize(8).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).isPositive());

        SubprocessTransport first = children.get(0).transport;
        assertThat(onLoop(first, () -> {
            first.close();
            return ((TransportStatistics) first).snapshot().closing();
        })).isTrue();
        assertThat(first.isClosing()).isTrue();
        assertThat(snapshotOnLoop(children.get(1).transport).closing()).isFalse();
        for (RecordingSubprocessProtocol child : children) {
            child.transport.close();
            assertThat(child.awaitLost()).isNull();
            assertThat(snapshotOnLoop(child.transport).closing()).isTrue();
            assertNothingLeft(child);
        }
    }

    @Test
    void withoutPipesThereIsNothingToCountOrBuffer() throws Exception {
        RecordingSubprocessProtocol p = exec(RecordingSubprocessProtocol::new, SubprocessOptions.builder()
                .stdin(Redirect.DEVNULL).stdout(Redirect.DEVNULL).stderr(Redirect.DEVNULL).build(), "true");
        assertThat(p.awaitLost()).isNull();
        TransportSnapshot s = snapshotOnLoop(p.transport);
        assertThat(s.kind()).isEqualTo("subprocess");
        assertThat(s.writeBufferLimits()).isNull();
        assertThat(s.writeBufferSize()).isZero();
        assertThat(s.bytesReceived()).isZero();
        assertThat(s.bytesSent()).isZero();
        assertThat(s.readingPaused()).isFalse();
        assertThat(s.writingPaused()).isFalse();
        assertThat(s.closing()).isTrue();
        assertThat(s.openedAt()).isBeforeOrEqualTo(Instant.now());
    }
}
