package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.testsupport.ProcFs;
import io.protoloop.testsupport.RecordingProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** asyncio's {@code connect_read_pipe} / {@code connect_write_pipe} over NIO pipes and FIFOs. */
class PipeTransportTest {

    private EventLoop loop;
    private final List<Map<String, Object>> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createLoop() {
        loop = EventLoop.create(LoopOptions.builder().threads(2).build());
        loop.setExceptionHandler((l, context) -> handled.add(context));
    }

    @AfterEach
    void closeLoop() throws Exception {
        loop.close();
        for (String kind : List.of("read-", "write-", "open-")) {
            ProcFs.awaitNoThreads("protoloop-pipe-" + kind);
        }
    }

    /** A write-pipe protocol that records its callbacks. */
    static class WriteRecorder implements BaseProtocol<WriteTransport> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> lost = new CompletableFuture<>();
        volatile WriteTransport transport;

        @Override
        public void connectionMade(WriteTransport transport) {
            this.transport = transport;
            events.add("connectionMade");
        }

        @Override
        public void connectionLost(Throwable exc) {
            events.add("connectionLost");
            lost.complete(exc);
        }

        @Override
        public void pauseWriting() {
            events.add("pauseWriting");
        }

        @Override
        public void resumeWriting() {
            events.add("resumeWriting");
        }
    }

    private static void write(Pipe.SinkChannel sink, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            sink.write(b);
        }
    }

    private static String readToEof(java.nio.channels.ReadableByteChannel source) throws IOException {
        StringBuilder out = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(65536);
        while (source.read(b) >= 0) {
            b.flip();
            out.append(StandardCharsets.UTF_8.decode(b));
            b.clear();
        }
        return out.toString();
    }

    // ---- read pipes -------------------------------------------------------------------------------

    @Test
    void aReadPipeDeliversDataThenEofThenConnectionLost() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<ReadTransport, RecordingProtocol> c = loop.connectReadPipe(RecordingProtocol::new, pipe.source())
                .get(10, TimeUnit.SECONDS);
        RecordingProtocol p = c.protocol();
        assertThat(p.events).containsExactly("connectionMade");
        assertThat(c.transport().isReading()).isTrue();
        assertThat(c.transport().<Object>getExtraInfo("pipe")).isSameAs(pipe.source());

        write(pipe.sink(), "hello ");
        write(pipe.sink(), "pipe");
        pipe.sink().close();

        assertThat(p.awaitLost()).isNull();
        assertThat(new String(p.received(), StandardCharsets.UTF_8)).isEqualTo("hello pipe");
        assertThat(p.collapsedEvents()).containsExactly("connectionMade", "dataReceived", "eofReceived",
                "connectionLost");
        assertThat(c.transport().isClosing()).isTrue();
        assertThat(c.transport().isReading()).isFalse();
        // Set right after connectionLost returns (as asyncio does), so it may take a moment to see here.
        await(() -> c.transport().getProtocol() == null, "the protocol detached");
        await(() -> !pipe.source().isOpen(), "the pipe closed");
    }

    @Test
    void aPausedReadPipeDeliversNothingUntilResumed() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<ReadTransport, RecordingProtocol> c = loop.connectReadPipe(RecordingProtocol::new, pipe.source())
                .get(10, TimeUnit.SECONDS);
        c.transport().pauseReading();
        await(() -> !c.transport().isReading(), "the pause to reach the loop");

        write(pipe.sink(), "held back");
        pipe.sink().close();
        Thread.sleep(200);
        assertThat(c.protocol().events).containsExactly("connectionMade");

        c.transport().resumeReading();
        assertThat(c.protocol().awaitLost()).isNull();
        assertThat(new String(c.protocol().received(), StandardCharsets.UTF_8)).isEqualTo("held back");
    }

    @Test
    void closingAReadPipeEndsItsThreadAtOnce() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<ReadTransport, RecordingProtocol> c = loop.connectReadPipe(RecordingProtocol::new, pipe.source())
                .get(10, TimeUnit.SECONDS);
        await(() -> !ProcFs.threads("protoloop-pipe-read-").isEmpty(), "the reader thread");

        c.transport().close();

        assertThat(c.protocol().awaitLost()).isNull();
        assertThat(c.protocol().events).containsExactly("connectionMade", "connectionLost");
        ProcFs.awaitNoThreads("protoloop-pipe-read-");
        assertThat(pipe.source().isOpen()).isFalse();
        pipe.sink().close();
    }

    @Test
    void aThrowingDataReceivedClosesTheReadPipeWithTheError() throws Exception {
        Pipe pipe = Pipe.open();
        IllegalStateException boom = new IllegalStateException("boom");
        Connection<ReadTransport, RecordingProtocol> c = loop.<RecordingProtocol>connectReadPipe(() -> new RecordingProtocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                super.dataReceived(data);
                throw boom;
            }
        }, pipe.source()).get(10, TimeUnit.SECONDS);

        write(pipe.sink(), "x");

        assertThat(c.protocol().awaitLost()).isSameAs(boom);
        assertThat(handled).singleElement().satisfies(context -> {
            assertThat(context.get("exception")).isSameAs(boom);
            assertThat(context.get("transport")).isSameAs(c.transport());
        });
        pipe.sink().close();
    }

    @Test
    void aReadPipeIsATransportWhoseWriteHalfThrows() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<ReadTransport, RecordingProtocol> c = loop.connectReadPipe(RecordingProtocol::new, pipe.source())
                .get(10, TimeUnit.SECONDS);
        Transport t = c.protocol().made.get(10, TimeUnit.SECONDS);

        assertThat(t).isSameAs(c.transport());
        assertThatThrownBy(() -> t.write("x".getBytes())).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("read end of a pipe");
        assertThatThrownBy(() -> t.writelines(List.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(t::writeEof).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> t.setWriteBufferLimits(10, 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(t.canWriteEof()).isFalse();
        t.abort();
        assertThat(c.protocol().awaitLost()).isNull();
        pipe.sink().close();
    }

    @Test
    void aPipeOnASelectorIsRejectedAtOnce() throws Exception {
        Pipe pipe = Pipe.open();
        try (var selector = java.nio.channels.Selector.open()) {
            pipe.source().configureBlocking(false);
            pipe.source().register(selector, java.nio.channels.SelectionKey.OP_READ);
            assertThatThrownBy(() -> loop.connectReadPipe(RecordingProtocol::new, pipe.source()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("selector");
        }
        pipe.source().close();
        pipe.sink().close();
    }

    // ---- write pipes ------------------------------------------------------------------------------

    @Test
    void aWritePipeWritesAndWriteEofClosesIt() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<WriteTransport, WriteRecorder> c = loop.connectWritePipe(WriteRecorder::new, pipe.sink())
                .get(10, TimeUnit.SECONDS);
        WriteTransport t = c.transport();
        assertThat(t.canWriteEof()).isTrue();
        assertThat(t.<Object>getExtraInfo("pipe")).isSameAs(pipe.sink());

        t.write("hello ".getBytes(StandardCharsets.UTF_8));
        t.writelines(List.of(ByteBuffer.wrap("write ".getBytes()), ByteBuffer.wrap("pipe".getBytes())));
        t.writeEof();
        t.write("dropped".getBytes(StandardCharsets.UTF_8));

        assertThat(readToEof(pipe.source())).isEqualTo("hello write pipe");
        assertThat(c.protocol().lost.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(c.protocol().events).containsExactly("connectionMade", "connectionLost");
        assertThat(t.isClosing()).isTrue();
        assertThat(pipe.sink().isOpen()).isFalse();
    }

    @Test
    void aWritePipePausesOverHighAndResumesAtLow() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<WriteTransport, WriteRecorder> c = loop.connectWritePipe(WriteRecorder::new, pipe.sink())
                .get(10, TimeUnit.SECONDS);
        WriteTransport t = c.transport();
        CompletableFuture<List<String>> inWrite = new CompletableFuture<>();

        // Nobody reads yet: 1 MiB cannot all leave, and the pause comes inside the write that crossed.
        t.loop().callSoon(() -> {
            t.write(new byte[1024 * 1024]);
            inWrite.complete(List.copyOf(c.protocol().events));
        });
        assertThat(inWrite.get(10, TimeUnit.SECONDS)).containsExactly("connectionMade", "pauseWriting");
        assertThat(t.getWriteBufferSize()).isEqualTo(1024 * 1024);

        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        long read = 0;
        while (read < 1024 * 1024) {
            read += pipe.source().read(sink);
            sink.clear();
        }
        await(() -> c.protocol().events.contains("resumeWriting"), "resumeWriting");
        assertThat(t.getWriteBufferSize()).isZero();
        t.close();
        assertThat(c.protocol().lost.get(10, TimeUnit.SECONDS)).isNull();
        pipe.source().close();
    }

    @Test
    void abortingABlockedWritePipeEndsItsThread() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<WriteTransport, WriteRecorder> c = loop.connectWritePipe(WriteRecorder::new, pipe.sink())
                .get(10, TimeUnit.SECONDS);
        c.transport().write(new byte[1024 * 1024]);
        await(() -> !ProcFs.threads("protoloop-pipe-write-").isEmpty(), "the writer thread");

        c.transport().abort();

        assertThat(c.protocol().lost.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(c.transport().getWriteBufferSize()).isZero();
        ProcFs.awaitNoThreads("protoloop-pipe-write-");
        pipe.source().close();
    }

    @Test
    void aWritePipeWhoseReaderClosedFailsWithABrokenPipe() throws Exception {
        Pipe pipe = Pipe.open();
        Connection<WriteTransport, WriteRecorder> c = loop.connectWritePipe(WriteRecorder::new, pipe.sink())
                .get(10, TimeUnit.SECONDS);
        pipe.source().close();

        c.transport().write("nobody reads this".getBytes(StandardCharsets.UTF_8));

        assertThat(c.protocol().lost.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                .hasMessageContaining("Broken pipe").hasMessageContaining("write pipe");
        assertThat(handled).isEmpty();
    }

    // ---- statistics -------------------------------------------------------------------------------

    /** The snapshot of {@code transport}, taken on its loop: exact. */
    private static TransportSnapshot snapshotOnLoop(BaseTransport transport) throws Exception {
        return io.protoloop.testsupport.OnLoop.snapshot(transport);
    }

    @Test
    void aReadPipeCountsTheBytesItReadAndShowsItsPause() throws Exception {
        Instant before = Instant.now();
        Pipe pipe = Pipe.open();
        Connection<ReadTransport, RecordingProtocol> c = loop.connectReadPipe(RecordingProtocol::new, pipe.source())
                .get(10, TimeUnit.SECONDS);
        ReadTransport t = c.transport();

        TransportSnapshot fresh = snapshotOnLoop(t);
        assertThat(fresh.kind()).isEqualTo("pipe");
        assertThat(fresh.id()).isPositive();
        assertThat(fresh.openedAt()).isNotNull().isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
        assertThat(fresh.bytesReceived()).isZero();
        assertThat(fresh.bytesSent()).isZero();
        assertThat(fresh.readingPaused()).isFalse();
        assertThat(fresh.writingPaused()).isFalse();
        assertThat(fresh.closing()).isFalse();
        assertThat(fresh.writeBufferSize()).isZero();
        assertThat(fresh.writeBufferLimits()).as("a read pipe has no write buffer").isNull();
        assertThat(fresh.peername()).isNull();
        assertThat(fresh.sockname()).isNull();

        t.pauseReading();
        assertThat(snapshotOnLoop(t).readingPaused()).isTrue();
        t.resumeReading();
        assertThat(snapshotOnLoop(t).readingPaused()).isFalse();

        write(pipe.sink(), "hello ");
        write(pipe.sink(), "pipe");
        pipe.sink().close();
        assertThat(c.protocol().awaitLost()).isNull();
        TransportSnapshot done = snapshotOnLoop(t);
        assertThat(done.bytesReceived()).isEqualTo(10);
        assertThat(done.closing()).isTrue();
        assertThat(done.readingPaused()).isFalse();
        assertThat(done.id()).isEqualTo(fresh.id());
    }

    /**
     * Nobody reads the pipe yet, under tiny limits: one 256 KiB write pauses the protocol and stays
     * buffered whole; once the other end reads it, it counts as sent and the protocol resumes.
     */
    @Test
    void aWritePipeCountsTheBytesTheSystemTookAndShowsItsPause() throws Exception {
        int size = 256 * 1024;
        Pipe pipe = Pipe.open();
        Connection<WriteTransport, WriteRecorder> c = loop.connectWritePipe(WriteRecorder::new, pipe.sink())
                .get(10, TimeUnit.SECONDS);
        WriteTransport t = c.transport();
        t.setWriteBufferLimits(1000, 100);

        TransportSnapshot fresh = snapshotOnLoop(t);
        assertThat(fresh.kind()).isEqualTo("pipe");
        assertThat(fresh.writeBufferLimits()).isEqualTo(new WriteBufferLimits(100, 1000));
        assertThat(fresh.bytesSent()).isZero();
        assertThat(fresh.writingPaused()).isFalse();
        assertThat(fresh.openedAt()).isBeforeOrEqualTo(Instant.now());

        CompletableFuture<TransportSnapshot> afterWrite = new CompletableFuture<>();
        t.loop().callSoon(() -> {
            t.write(new byte[size]);
            afterWrite.complete(((TransportStatistics) t).snapshot());
        });
        TransportSnapshot paused = afterWrite.get(20, TimeUnit.SECONDS);
        assertThat(paused.writingPaused()).isTrue();
        assertThat(paused.writeBufferSize()).isEqualTo(size).isGreaterThan(paused.writeBufferLimits().high());
        assertThat(paused.bytesSent()).isZero();
        assertThat(paused.readingPaused()).isFalse();
        assertThat(c.protocol().events).containsExactly("connectionMade", "pauseWriting");

        ByteBuffer drain = ByteBuffer.allocate(64 * 1024);
        long read = 0;
        while (read < size) {
            read += pipe.source().read(drain);
            drain.clear();
        }
        await(() -> c.protocol().events.contains("resumeWriting"), "resumeWriting");
        TransportSnapshot resumed = snapshotOnLoop(t);
        assertThat(resumed.writingPaused()).isFalse();
        assertThat(resumed.writeBufferSize()).isZero();
        assertThat(resumed.bytesSent()).isEqualTo(size);

        t.close();
        assertThat(c.protocol().lost.get(10, TimeUnit.SECONDS)).isNull();
        TransportSnapshot closed = snapshotOnLoop(t);
        assertThat(closed.closing()).isTrue();
        assertThat(closed.bytesSent()).isEqualTo(size);
        assertThat(closed.id()).isEqualTo(fresh.id());
        pipe.source().close();
    }

    @Test
    void everyPipeHasItsOwnId() throws Exception {
        Pipe first = Pipe.open();
        Pipe second = Pipe.open();
        ReadTransport reader = loop.connectReadPipe(RecordingProtocol::new, first.source())
                .get(10, TimeUnit.SECONDS).transport();
        WriteTransport writer = loop.connectWritePipe(WriteRecorder::new, first.sink()).get(10, TimeUnit.SECONDS)
                .transport();
        ReadTransport another = loop.connectReadPipe(RecordingProtocol::new, second.source())
                .get(10, TimeUnit.SECONDS).transport();

        assertThat(List.of(snapshotOnLoop(reader).id(), snapshotOnLoop(writer).id(), snapshotOnLoop(another).id()))
                .doesNotHaveDuplicates().isSorted();
        reader.close();
        writer.close();
        another.close();
        second.sink().close();
    }

    @Test
    void closingTheLoopEndsEveryPipeThread() throws Exception {
        EventLoop other = EventLoop.create();
        Pipe in = Pipe.open();
        Pipe out = Pipe.open();
        other.connectReadPipe(RecordingProtocol::new, in.source()).get(10, TimeUnit.SECONDS);
        Connection<WriteTransport, WriteRecorder> w = other.connectWritePipe(WriteRecorder::new, out.sink())
                .get(10, TimeUnit.SECONDS);
        w.transport().write(new byte[1024 * 1024]);
        await(() -> ProcFs.threads("protoloop-pipe-").stream().anyMatch(t -> t.startsWith("protoloop-pipe-write-")),
                "the writer thread");

        other.close();

        ProcFs.awaitNoThreads("protoloop-pipe-read-");
        ProcFs.awaitNoThreads("protoloop-pipe-write-");
        assertThat(in.source().isOpen()).isFalse();
        assertThat(out.sink().isOpen()).isFalse();
        in.sink().close();
        out.source().close();
    }

    // ---- FIFOs ------------------------------------------------------------------------------------

    private static Path mkfifo(Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        return fifo;
    }

    @Test
    void readsAFifo(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        CompletableFuture<Connection<ReadTransport, RecordingProtocol>> f =
                loop.connectReadPipe(RecordingProtocol::new, fifo);
        assertThat(f).isNotDone();

        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            writer.write(ByteBuffer.wrap("through a fifo".getBytes(StandardCharsets.UTF_8)));
        }

        RecordingProtocol p = f.get(10, TimeUnit.SECONDS).protocol();
        assertThat(p.awaitLost()).isNull();
        assertThat(new String(p.received(), StandardCharsets.UTF_8)).isEqualTo("through a fifo");
    }

    @Test
    void writesAFifo(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        CompletableFuture<Connection<WriteTransport, WriteRecorder>> f = loop.connectWritePipe(WriteRecorder::new, fifo);

        try (FileChannel reader = FileChannel.open(fifo, StandardOpenOption.READ)) {
            Connection<WriteTransport, WriteRecorder> c = f.get(10, TimeUnit.SECONDS);
            c.transport().write("into a fifo".getBytes(StandardCharsets.UTF_8));
            c.transport().close();
            assertThat(readToEof(reader)).isEqualTo("into a fifo");
            assertThat(c.protocol().lost.get(10, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void aRegularFileIsNoPipe(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");

        assertThatThrownBy(() -> loop.connectReadPipe(RecordingProtocol::new, file).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a pipe");
        assertThatThrownBy(() -> loop.connectReadPipe(RecordingProtocol::new, dir.resolve("missing"))
                .get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IOException.class);
    }

    @Test
    void closingTheLoopWhileAFifoOpensFailsTheFutureAndLeavesNoThread(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        EventLoop other = EventLoop.create();
        CompletableFuture<Connection<ReadTransport, RecordingProtocol>> f =
                other.connectReadPipe(RecordingProtocol::new, fifo);
        await(() -> !ProcFs.threads("protoloop-pipe-open-").isEmpty(), "the opening thread");

        other.close();

        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class);
        ProcFs.awaitNoThreads("protoloop-pipe-open-");
    }
}
