package io.protoloop.benchmarks;

import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.Redirect;
import io.protoloop.SubprocessOptions;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.WriteTransport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Subprocess benchmark: spawn rate of {@code true} (one at a time, and with several in flight),
 * throughput through {@code cat}, and what 1,000 concurrent {@code sleep} children cost in threads
 * and memory. {@code benchmarks/scripts/subprocess_asyncio.py} does the same work with Python
 * asyncio; see README.md, section "Subprocesses".
 *
 * <p>System properties (all optional): {@code phases} (comma-separated, {@code spawn,cat,children}),
 * {@code spawns} (1000, per spawn phase), {@code concurrency} (comma-separated in-flight counts,
 * {@code 4,16,64}), {@code catMiB} (1024), {@code catChunk} (262144 bytes per write),
 * {@code children} (1000), {@code childStreams} ({@code all} or {@code stdout}).
 */
public final class SubprocessBenchmark {

    private static final int SPAWNS = Integer.getInteger("spawns", 1000);
    private static final String CONCURRENCY = System.getProperty("concurrency", "4,16,64");
    private static final int CAT_MIB = Integer.getInteger("catMiB", 1024);
    private static final int CAT_CHUNK = Integer.getInteger("catChunk", 256 * 1024);
    private static final int CHILDREN = Integer.getInteger("children", 1000);
    private static final String PHASES = System.getProperty("phases", "spawn,cat,children");
    private static final String CHILD_STREAMS = System.getProperty("childStreams", "all,stdout");

    private SubprocessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf(Locale.ROOT, "java %s, %d cpus%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        List<String> phases = List.of(PHASES.split(","));
        try (EventLoop loop = EventLoop.create()) {
            if (phases.contains("spawn")) {
                // Warm-up: JIT and the JDK's spawn helper.
                spawnRate(loop, 300, 1);
                spawnRate(loop, 300, 16);
                rawSpawnRate(300);
                System.out.printf(Locale.ROOT, "for reference, bare ProcessBuilder.start() + waitFor() of true, "
                        + "sequential, no protoloop: %.0f processes/s%n", rawSpawnRate(SPAWNS));
                double seq = spawnRate(loop, SPAWNS, 1);
                System.out.printf(Locale.ROOT, "spawn true, sequential: %.0f processes/s%n", seq);
                for (String c : CONCURRENCY.split(",")) {
                    int inFlight = Integer.parseInt(c.trim());
                    double rate = spawnRate(loop, Math.max(SPAWNS, 2 * inFlight), inFlight);
                    System.out.printf(Locale.ROOT, "spawn true, %d in flight: %.0f processes/s%n", inFlight, rate);
                }
            }
            if (phases.contains("cat")) {
                throughput(loop, 128, WriteBufferLimitsChoice.DEFAULT);
                for (WriteBufferLimitsChoice limits : WriteBufferLimitsChoice.values()) {
                    double mbs = throughput(loop, CAT_MIB, limits);
                    System.out.printf(Locale.ROOT, "cat %d MiB, %d-byte writes, stdin high-water %s: %.0f MB/s%n",
                            CAT_MIB, CAT_CHUNK, limits.label, mbs);
                }
            }
            if (phases.contains("children")) {
                if (CHILD_STREAMS.contains("all")) {
                    concurrentChildren(loop, CHILDREN, SubprocessOptions.DEFAULT, "stdin, stdout, stderr piped");
                }
                if (CHILD_STREAMS.contains("stdout")) {
                    concurrentChildren(loop, CHILDREN, SubprocessOptions.builder().stdin(Redirect.DEVNULL)
                            .stderr(Redirect.DEVNULL).build(), "stdout piped only");
                }
            }
        }
    }

    // ---- spawn rate -----------------------------------------------------------------------------

    /** Protocol that completes a future at connectionLost (after exit and every pipe closed). */
    static final class Done implements SubprocessProtocol {
        final CompletableFuture<Void> lost = new CompletableFuture<>();

        @Override
        public void connectionLost(Throwable exc) {
            lost.complete(null);
        }
    }

    /** Starts {@code n} {@code true} children, {@code inFlight} at a time; processes per second. */
    static double spawnRate(EventLoop loop, int n, int inFlight) throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        AtomicInteger failures = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            slots.acquire();
            loop.subprocessExec(Done::new, List.of("true")).whenComplete((c, error) -> {
                if (error != null) {
                    failures.incrementAndGet();
                    release(slots, remaining, all);
                } else {
                    c.protocol().lost.whenComplete((v, e) -> release(slots, remaining, all));
                }
            });
        }
        all.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) {
            throw new IllegalStateException(failures + " spawns failed");
        }
        return n / seconds;
    }

    /** The JDK alone: start {@code true} and wait for it, one at a time; processes per second. */
    static double rawSpawnRate(int n) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            p.getInputStream().close();
            p.getErrorStream().close();
            p.getOutputStream().close();
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static void release(Semaphore slots, AtomicInteger remaining, CompletableFuture<Void> all) {
        slots.release();
        if (remaining.decrementAndGet() == 0) {
            all.complete(null);
        }
    }

    // ---- throughput -----------------------------------------------------------------------------

    enum WriteBufferLimitsChoice {
        DEFAULT("64 KiB (default)", null),
        LARGE("4 MiB", 4 * 1024 * 1024);

        final String label;
        final Integer high;

        WriteBufferLimitsChoice(String label, Integer high) {
            this.label = label;
            this.high = high;
        }
    }

    /** Writes while not paused, counts what comes back. */
    static final class CatPump implements SubprocessProtocol {
        final long total;
        final byte[] chunk = new byte[CAT_CHUNK];
        final CompletableFuture<Void> lost = new CompletableFuture<>();
        long written;
        long received;
        boolean paused;
        WriteTransport stdin;

        CatPump(long total) {
            this.total = total;
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) i;
            }
        }

        @Override
        public void connectionMade(SubprocessTransport transport) {
            stdin = (WriteTransport) transport.getPipeTransport(0);
            pump();
        }

        private void pump() {
            while (!paused && written < total) {
                stdin.write(chunk);
                written += chunk.length;
            }
            if (written >= total) {
                stdin.writeEof();
            }
        }

        @Override
        public void pauseWriting() {
            paused = true;
        }

        @Override
        public void resumeWriting() {
            paused = false;
            pump();
        }

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            received += data.remaining();
        }

        @Override
        public void connectionLost(Throwable exc) {
            if (exc != null) {
                lost.completeExceptionally(exc);
            } else {
                lost.complete(null);
            }
        }
    }

    /** MB/s (10^6 bytes) of {@code mib} MiB through cat, counted when the last byte came back. */
    static double throughput(EventLoop loop, int mib, WriteBufferLimitsChoice limits) throws Exception {
        long total = (long) mib * 1024 * 1024;
        SubprocessOptions options = SubprocessOptions.builder().stderr(Redirect.INHERIT)
                .stdinWriteBufferLimits(limits.high, null).build();
        long start = System.nanoTime();
        Connection<SubprocessTransport, CatPump> c = loop.subprocessExec(() -> new CatPump(total), List.of("cat"),
                options).get(10, TimeUnit.SECONDS);
        c.protocol().lost.get(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        long received = loop.runInExecutor(null, () -> c.protocol().received).get();
        if (received != total) {
            throw new IllegalStateException("cat returned " + received + " of " + total + " bytes");
        }
        return total / seconds / 1e6;
    }

    // ---- 1,000 children -------------------------------------------------------------------------

    /** Starts {@code n} {@code sleep} children at once and reports threads and memory while they run. */
    static void concurrentChildren(EventLoop loop, int n, SubprocessOptions options, String label) throws Exception {
        Snapshot before = Snapshot.take();
        long start = System.nanoTime();
        List<CompletableFuture<Connection<SubprocessTransport, Done>>> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            started.add(loop.subprocessExec(Done::new, List.of("sleep", "3600"), options));
        }
        List<Connection<SubprocessTransport, Done>> children = new ArrayList<>();
        for (var f : started) {
            children.add(f.get(5, TimeUnit.MINUTES));
        }
        double spawnSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(1000);
        Snapshot during = Snapshot.take();
        long closeStart = System.nanoTime();
        for (var c : children) {
            c.transport().close();
        }
        for (var c : children) {
            c.protocol().lost.get(5, TimeUnit.MINUTES);
        }
        double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Snapshot.pipeThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Snapshot after = Snapshot.take();
        System.out.printf(Locale.ROOT, "%d concurrent sleep children (%s): started in %.2f s, closed in %.2f s%n",
                n, label, spawnSeconds, closeSeconds);
        System.out.printf(Locale.ROOT, "  threads: %d before, %d with the children (%d protoloop-pipe, %d process "
                        + "reaper), %d after close (%d protoloop-pipe)%n", before.threads, during.threads,
                during.pipeThreads, during.reaperThreads, after.threads, after.pipeThreads);
        System.out.printf(Locale.ROOT, "  RSS: %d MiB before, %d MiB with the children (+%d MiB, %.0f KiB per "
                        + "child); heap used %d -> %d MiB%n", before.rssKiB / 1024, during.rssKiB / 1024,
                (during.rssKiB - before.rssKiB) / 1024, (during.rssKiB - before.rssKiB) / (double) n,
                before.heapMiB, during.heapMiB);
    }

    /** Threads and memory of this JVM at one moment. */
    static final class Snapshot {
        final int threads;
        final long pipeThreads;
        final long reaperThreads;
        final long rssKiB;
        final long heapMiB;

        private Snapshot(int threads, long pipeThreads, long reaperThreads, long rssKiB, long heapMiB) {
            this.threads = threads;
            this.pipeThreads = pipeThreads;
            this.reaperThreads = reaperThreads;
            this.rssKiB = rssKiB;
            this.heapMiB = heapMiB;
        }

        static Snapshot take() throws IOException {
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return new Snapshot(ManagementFactory.getThreadMXBean().getThreadCount(), pipeThreads(),
                    count("process reaper"), rssKiB(), (rt.totalMemory() - rt.freeMemory()) >> 20);
        }

        static long pipeThreads() {
            return count("protoloop-pipe-");
        }

        private static long count(String prefix) {
            return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
        }

        private static long rssKiB() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        }
    }
}
