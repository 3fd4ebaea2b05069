package io.protoloop.transport;

import io.protoloop.SubprocessOptions;
import io.protoloop.testsupport.RecordingSubprocessProtocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Flow control on a child's pipes: stdin's write buffer and stdout's pause_reading. */
class SubprocessFlowControlTest extends SubprocessTestBase {

    private static final int MIB = 1024 * 1024;

    /**
     * Streams 64 MiB through {@code cat} the asyncio way: write until {@code pauseWriting}, continue
     * in {@code resumeWriting}, {@code writeEof} at the end; the output must hash the same.
     */
    @Test
    void carries64MiBThroughCatIntactWithStdinFlowControl() throws Exception {
        long total = 64L * MIB;
        int chunk = 256 * 1024;
        CatFeeder p = new CatFeeder(total, chunk);

        RecordingSubprocessProtocol made = exec(() -> p, SubprocessOptions.DEFAULT, "cat");

        assertThat(made.awaitLost()).isNull();
        assertThat(p.received.get()).isEqualTo(total);
        assertThat(p.outputDigest()).isEqualTo(p.inputDigest());
        assertThat(p.transport.getReturncode()).isZero();
        // Flow control engaged: every 256 KiB write went over the 64 KiB high-water mark and paused,
        // each pause was answered by a resume, and the buffer never held more than one chunk over it.
        assertThat(p.pauses.get()).isGreaterThan(0).isEqualTo(p.resumes.get());
        assertThat(p.maxBuffered.get()).isGreaterThan(WriteBufferLimits.DEFAULT_HIGH)
                .isLessThanOrEqualTo(WriteBufferLimits.DEFAULT_HIGH + chunk);
        assertThat(handled).isEmpty();
        assertNothingLeft(p);
    }

    /** Writes pseudo-random bytes while not paused, hashing what it wrote and what came back. */
    static final class CatFeeder extends RecordingSubprocessProtocol {
        final long total;
        final int chunk;
        final Random random = new Random(42);
        final MessageDigest in = sha256();
        final MessageDigest out = sha256();
        final AtomicLong received = new AtomicLong();
        final AtomicInteger pauses = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();
        final AtomicLong maxBuffered = new AtomicLong();
        long written;
        boolean paused;
        WriteTransport stdin;

        CatFeeder(long total, int chunk) {
            this.total = total;
            this.chunk = chunk;
        }

        @Override
        public void connectionMade(SubprocessTransport transport) {
            super.connectionMade(transport);
            stdin = (WriteTransport) transport.getPipeTransport(0);
            feed();
        }

        private void feed() {
            byte[] bytes = new byte[chunk];
            while (!paused && written < total) {
                random.nextBytes(bytes);
                in.update(bytes);
                written += bytes.length;
                stdin.write(bytes);
                maxBuffered.accumulateAndGet(stdin.getWriteBufferSize(), Math::max);
            }
            if (written >= total) {
                stdin.writeEof();
            }
        }

        @Override
        public void pauseWriting() {
            pauses.incrementAndGet();
            paused = true;
        }

        @Override
        public void resumeWriting() {
            resumes.incrementAndGet();
            assertThat(stdin.getWriteBufferSize()).isLessThanOrEqualTo(stdin.getWriteBufferLimits().low());
            paused = false;
            feed();
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            received.addAndGet(data.remaining());
            out.update(data);
        }

        byte[] inputDigest() {
            return in.digest();
        }

        byte[] outputDigest() {
            return out.digest();
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void pauseWritingComesInsideTheWriteThatCrossesHigh() throws Exception {
        // Both writes run in one loop task: the writer thread's progress can only be counted after it.
        RecordingSubprocessProtocol p = exec(RecordingSubprocessProtocol::new,
                SubprocessOptions.builder().stdinWriteBufferLimits(1000, 100).build(), "sleep", "30");
        WriteTransport stdin = (WriteTransport) p.transport.getPipeTransport(0);
        CompletableFuture<List<String>> seen = new CompletableFuture<>();

        p.transport.loop().callSoon(() -> {
            stdin.write(new byte[1000]);
            List<String> atHigh = List.copyOf(p.events);
            stdin.write(new byte[1]);
            seen.complete(List.of(String.valueOf(atHigh.contains("pauseWriting")),
                    String.valueOf(p.events.contains("pauseWriting")), String.valueOf(stdin.getWriteBufferSize())));
        });

        assertThat(seen.get(10, TimeUnit.SECONDS)).containsExactly("false", "true", "1001");
        assertThat(stdin.getWriteBufferLimits()).isEqualTo(new WriteBufferLimits(100, 1000));
        p.transport.close();
        assertThat(p.awaitLost()).isNull();
        assertNothingLeft(p);
    }

    /**
     * asyncio's {@code pause_reading()} on a pipe: the reader stops, the kernel pipe fills, the child
     * blocks on its write and cannot exit; nothing is delivered until {@code resumeReading()}.
     */
    @Test
    void pausedStdoutBlocksTheChildUntilResumed() throws Exception {
        RecordingSubprocessProtocol p = exec(() -> new RecordingSubprocessProtocol() {
            @Override
            public void connectionMade(SubprocessTransport transport) {
                ((ReadTransport) transport.getPipeTransport(1)).pauseReading();
                super.connectionMade(transport);
            }
        }, SubprocessOptions.DEFAULT, "head", "-c", String.valueOf(MIB), "/dev/zero");
        ReadTransport stdout = (ReadTransport) p.transport.getPipeTransport(1);

        Thread.sleep(300);
        assertThat(stdout.isReading()).isFalse();
        assertThat(p.events).doesNotContain("pipeDataReceived1", "processExited");
        assertThat(p.transport.getReturncode()).as("the child is blocked on a full pipe").isNull();
        assertThat(ProcessHandle.of(p.transport.getPid())).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());

        stdout.resumeReading();
        assertThat(p.awaitLost()).isNull();
        assertThat(p.received(1)).hasSize(MIB);
        assertThat(p.transport.getReturncode()).isZero();
        assertNothingLeft(p);
    }

    @Test
    void pausingMidStreamDeliversNothingUntilResumed() throws Exception {
        AtomicInteger deliveredWhilePaused = new AtomicInteger();
        RecordingSubprocessProtocol p = exec(() -> new RecordingSubprocessProtocol() {
            boolean paused;

            @Override
            public void pipeDataReceived(int fd, ByteBuffer data) {
                if (paused) {
                    deliveredWhilePaused.incrementAndGet();
                }
                super.pipeDataReceived(fd, data);
                if (!paused && events.size() == 2) {
                    ReadTransport stdout = (ReadTransport) transport.getPipeTransport(1);
                    stdout.pauseReading();
                    paused = true;
                    transport.loop().callLater(0.2, () -> {
                        paused = false;
                        stdout.resumeReading();
                    });
                }
            }
        }, SubprocessOptions.DEFAULT, "head", "-c", String.valueOf(4 * MIB), "/dev/zero");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.received(1)).hasSize(4 * MIB);
        assertThat(deliveredWhilePaused.get()).isZero();
    }

    @Test
    void pauseAndResumeReadingAreIdempotent() throws Exception {
        RecordingSubprocessProtocol p = exec("sh", "-c", "sleep 0.2; printf done");
        ReadTransport stdout = (ReadTransport) p.transport.getPipeTransport(1);

        stdout.pauseReading();
        stdout.pauseReading();
        stdout.resumeReading();
        stdout.resumeReading();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("done");
    }

    @Test
    void writesFromAnotherThreadArriveInOrder() throws Exception {
        RecordingSubprocessProtocol p = exec("cat");
        WriteTransport stdin = (WriteTransport) p.transport.getPipeTransport(0);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String line = "line " + i + "\n";
            expected.append(line);
            stdin.write(line.getBytes());
        }
        stdin.writeEof();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo(expected.toString());
        await(() -> stdin.getWriteBufferSize() == 0, "an empty write buffer");
    }
}
