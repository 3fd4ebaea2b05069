package io.protoloop.benchmarks;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.protoloop.Server;
import io.protoloop.ServerStatistics;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.spring.actuator.LoopLagMonitor;
import io.protoloop.spring.actuator.ProtoloopMetrics;
import io.protoloop.transport.BaseTransport;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of protoloop's Micrometer binding on echo throughput: two protoloop echo servers in one JVM
 * (same engine, same loop threads, same {@link EchoBenchmark} load client), one plain ({@code off}),
 * one with everything the Spring starter attaches when Micrometer is present ({@code on}):
 * {@link ProtoloopMetrics} bound to a {@link SimpleMeterRegistry} with the endpoint's meters
 * registered, the {@link LoopLagMonitor} probing every loop thread every 100 ms, and a "scraper"
 * thread reading every meter once per second (as a Prometheus scrape does, only more often).
 *
 * <p>Runs alternate between the servers (off/on, then on/off, ...); each round gives one paired ratio
 * on/off, and the median of those is reported with the aggregate msg/s of each server, so that the
 * scheduler noise of a small machine (see README.md) hits both sides alike.
 *
 * <p>System properties: {@code engine}, {@code threads}, {@code clientThreads}, {@code warmup},
 * {@code measure}, {@code initialWarmup} as {@link EchoBenchmark}; {@code sizes} (default
 * {@code 64,1024}), {@code connections} (default {@code 1,50}), {@code rounds} (default 6),
 * {@code scrapeInterval} (seconds, default 1), {@code lagInterval} (milliseconds, default 100).
 */
public final class MetricsOverheadBenchmark {

    private MetricsOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("sizes") == null) {
            System.setProperty("sizes", "64,1024");
        }
        if (System.getProperty("rounds") == null) {
            System.setProperty("rounds", "6");
        }
        EchoBenchmark.Config config = EchoBenchmark.Config.fromSystemProperties();
        EchoBenchmark.Engine engine = config.engine();
        engine.ensureAvailable();
        double scrapeSeconds = Double.parseDouble(System.getProperty("scrapeInterval", "1"));
        Duration lagInterval = Duration.ofMillis(Long.getLong("lagInterval", 100));

        System.out.printf(Locale.ROOT, "# protoloop echo with and without the Micrometer binding%n");
        System.out.printf(Locale.ROOT, "engine=%s serverThreads=%d clientThreads=%d warmup=%.1fs measure=%.1fs rounds=%d"
                        + " sizes=%s connections=%s scrapeInterval=%.1fs lagInterval=%dms%n", engine.label,
                config.threads(), config.clientThreads(), config.warmupSeconds(), config.measureSeconds(),
                config.rounds(), Arrays.toString(config.sizes()), Arrays.toString(config.connections()), scrapeSeconds,
                lagInterval.toMillis());
        System.out.printf(Locale.ROOT, "java=%s (%s) availableProcessors=%d%n%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());

        List<String> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Double> allRatios = new ArrayList<>();
        AtomicLong scrapes = new AtomicLong();
        AtomicLong scrapeCpuNanos = new AtomicLong();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor((r) -> {
            Thread thread = new Thread(r, "scraper");
            thread.setDaemon(true);
            return thread;
        });
        try (EchoBenchmark.ProtoloopEchoServer off = new EchoBenchmark.ProtoloopEchoServer(engine, config.threads());
             EchoBenchmark.ProtoloopEchoServer on = new EchoBenchmark.ProtoloopEchoServer(engine, config.threads());
             LoopLagMonitor lag = new LoopLagMonitor(on.loop, lagInterval);
             ProtoloopMetrics metrics = new ProtoloopMetrics(on.loop, lag, null);
             EchoBenchmark.LoadClient client = new EchoBenchmark.LoadClient(engine, config.clientThreads())) {
            lag.start();
            metrics.bindTo(registry);
            metrics.endpointStarted(new ServerEndpoint("echo", on.server));
            long period = Math.max(1, Math.round(scrapeSeconds * 1000));
            scraper.scheduleAtFixedRate(() -> {
                long cpuStart = threads.getCurrentThreadCpuTime();
                double sum = 0;
                for (Meter meter : registry.getMeters()) {
                    for (Measurement measurement : meter.measure()) {
                        sum += measurement.getValue();
                    }
                }
                if (!Double.isNaN(sum)) {
                    scrapes.incrementAndGet();
                }
                scrapeCpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - cpuStart);
            }, period, period, TimeUnit.MILLISECONDS);
            System.out.printf("off: %s  on: %s (%d meters)%n%n", off.address(), on.address(), registry.getMeters().size());

            if (config.initialWarmupSeconds() > 0) {
                for (int size : config.sizes()) {
                    for (int connections : config.connections()) {
                        for (InetSocketAddress address : List.of(off.address(), on.address())) {
                            client.run(address, size, connections, config.initialWarmupSeconds(), 0);
                        }
                    }
                }
                settle();
            }

            int caseIndex = 0;
            for (int size : config.sizes()) {
                for (int connections : config.connections()) {
                    EchoBenchmark.Aggregate offResult = new EchoBenchmark.Aggregate();
                    EchoBenchmark.Aggregate onResult = new EchoBenchmark.Aggregate();
                    List<Double> ratios = new ArrayList<>();
                    for (int round = 0; round < config.rounds(); round++) {
                        boolean offFirst = (caseIndex + round) % 2 == 0;
                        double[] rate = new double[2];
                        for (int i = 0; i < 2; i++) {
                            boolean runOn = (i == 0) != offFirst;
                            EchoBenchmark.RunResult result = client.run(runOn ? on.address() : off.address(), size,
                                    connections, config.warmupSeconds(), config.measureSeconds());
                            (runOn ? onResult : offResult).add(result);
                            rate[runOn ? 1 : 0] = result.messagesPerSecond();
                            System.out.printf(Locale.ROOT, "  size=%-6d conns=%-3d metrics %-3s %,12.0f msg/s  p50=%8.1f us"
                                            + "  p99=%8.1f us%s%n", size, connections, runOn ? "on" : "off",
                                    result.messagesPerSecond(), result.histogram().getValueAtPercentile(50) / 1000.0,
                                    result.histogram().getValueAtPercentile(99) / 1000.0,
                                    result.problems().isEmpty() ? "" : "  PROBLEMS: " + result.problems());
                            for (String p : result.problems()) {
                                problems.add(String.format(Locale.ROOT, "size=%d conns=%d metrics %s: %s", size,
                                        connections, runOn ? "on" : "off", p));
                            }
                            settle();
                        }
                        if (rate[0] > 0) {
                            ratios.add(rate[1] / rate[0]);
                        }
                    }
                    allRatios.addAll(ratios);
                    rows.add(String.format(Locale.ROOT, "| %5d | %5d | %,10.0f | %,10.0f | %6.3f | %6.3f | %5.3f-%5.3f |",
                            size, connections, offResult.messagesPerSecond(), onResult.messagesPerSecond(),
                            onResult.messagesPerSecond() / offResult.messagesPerSecond(), median(ratios),
                            ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                            ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
                    caseIndex++;
                }
            }
            scraper.shutdownNow();
            System.out.println();
            // The absolute cost, which throughput on a noisy machine cannot resolve: CPU of the lag probes
            // (idle loop thread with and without them) and of the scrapes.
            long[] offThreads = loopThreadIds(off);
            long[] onThreads = loopThreadIds(on);
            double idleSeconds = Double.parseDouble(System.getProperty("idleMeasure", "5"));
            long offBefore = cpu(threads, offThreads);
            long onBefore = cpu(threads, onThreads);
            Thread.sleep(Math.round(idleSeconds * 1000));
            double offIdle = (cpu(threads, offThreads) - offBefore) / 1e3 / idleSeconds;
            double onIdle = (cpu(threads, onThreads) - onBefore) / 1e3 / idleSeconds;
            System.out.printf(Locale.ROOT, "idle loop-thread CPU over %.0f s: off %.1f us/s, on %.1f us/s (lag probes:"
                    + " %+.1f us/s per server, %.4f%% of a core)%n", idleSeconds, offIdle, onIdle, onIdle - offIdle,
                    (onIdle - offIdle) / 1e4);
            System.out.printf(Locale.ROOT, "scrapes: %d, %.1f us CPU each on the scraper thread (%.4f%% of a core at one"
                    + " scrape per %.1f s)%n", scrapes.get(), scrapeCpuNanos.get() / 1e3 / Math.max(1, scrapes.get()),
                    scrapeCpuNanos.get() / 1e3 / Math.max(1, scrapes.get()) / scrapeSeconds / 1e4, scrapeSeconds);
            System.out.printf(Locale.ROOT, "%d scrapes of %d meters during the run; final values:%n", scrapes.get(),
                    registry.getMeters().size());
            for (String name : List.of("protoloop.connections.total", "protoloop.bytes.received",
                    "protoloop.bytes.sent")) {
                System.out.printf(Locale.ROOT, "  %s = %,.0f%n", name,
                        registry.get(name).tag("endpoint", "echo").functionCounter().count());
            }
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "Results (engine=%s, %d server loop thread(s), %d client thread(s), %.1f s measured"
                        + " per run, %d round(s)); on/off = aggregate msg/s ratio, median = median of the per-round"
                        + " paired ratios%n%n", engine.label, config.threads(), config.clientThreads(),
                config.measureSeconds(), config.rounds());
        System.out.println("|  size | conns |  off msg/s |   on msg/s | on/off | median | paired range |");
        System.out.println("|------:|------:|-----------:|-----------:|-------:|-------:|-------------:|");
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%nmedian of all %d paired ratios: %.3f%n", allRatios.size(), median(allRatios));
        if (!problems.isEmpty()) {
            System.out.println();
            System.out.println("PROBLEMS:");
            problems.forEach(p -> System.out.println("  " + p));
            System.exit(2);
        }
    }

    /** The ids of a server's loop threads, asked on each loop. */
    private static long[] loopThreadIds(EchoBenchmark.ProtoloopEchoServer server) throws Exception {
        List<io.protoloop.EventLoop> members = server.loop.members();
        long[] ids = new long[members.size()];
        for (int i = 0; i < ids.length; i++) {
            java.util.concurrent.CompletableFuture<Long> id = new java.util.concurrent.CompletableFuture<>();
            members.get(i).callSoon(() -> id.complete(Thread.currentThread().getId()));
            ids[i] = id.get(5, TimeUnit.SECONDS);
        }
        return ids;
    }

    private static long cpu(ThreadMXBean threads, long[] ids) {
        long total = 0;
        for (long id : ids) {
            total += Math.max(0, threads.getThreadCpuTime(id));
        }
        return total;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
    }

    /** The echo server as the Spring starter's registry would show it: a running TCP endpoint. */
    record ServerEndpoint(String name, Server server) implements ManagedEndpoint {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public TransportKind getKind() {
            return TransportKind.TCP;
        }

        @Override
        public State getState() {
            return State.RUNNING;
        }

        @Override
        public List<SocketAddress> getAddresses() {
            return server.sockets();
        }

        @Override
        public List<BaseTransport> getTransports() {
            return List.copyOf(server.transports());
        }

        @Override
        public String getSslBundle() {
            return null;
        }

        @Override
        public Long getPid() {
            return null;
        }

        @Override
        public int getRestarts() {
            return 0;
        }

        @Override
        public Integer getLastExitCode() {
            return null;
        }

        @Override
        public ServerStatistics getServerStatistics() {
            return server.statistics();
        }
    }
}
