package io.protoloop.benchmarks;

import io.protoloop.benchmarks.EchoBenchmark.Config;
import io.protoloop.benchmarks.EchoBenchmark.Engine;
import io.protoloop.benchmarks.EchoBenchmark.LoadClient;
import io.protoloop.benchmarks.EchoBenchmark.NettyEchoServer;
import io.protoloop.benchmarks.UdpEchoBenchmark.NettyUdpEchoServer;
import io.protoloop.demo.DemoApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The demo application's own echo endpoints ({@code echo} over TCP, {@code udp-echo} over UDP) against
 * plain Netty echo servers, in one run, with the same clients: the figure a user of the starter gets,
 * Spring Boot, Actuator, metrics and the demo's flow-control coupling included.
 *
 * <p>The demo runs in this JVM exactly as {@code java -jar protoloop-demo-app.jar} would start it
 * (its {@code application.properties}, its ticker child, Actuator), with every port ephemeral and its
 * loop set to the benchmark's engine and thread count. The Netty servers get the same engine and
 * thread count. The TCP part is {@link EchoBenchmark}'s client and cases (its system properties
 * apply); the UDP part is {@link UdpEchoBenchmark}'s ({@code udpSizes}, {@code udpClients}).
 * Exits with status 2 if a byte came back wrong or a connection failed.
 */
public final class DemoEchoBenchmark {

    private DemoEchoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // The demo logs at INFO; here its start and stop lines would only bury the tables.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Config config = Config.fromSystemProperties();
        Engine engine = config.engine();
        engine.ensureAvailable();
        int[] udpSizes = UdpEchoBenchmark.ints(System.getProperty("udpSizes", "64,1024"));
        int[] udpClients = UdpEchoBenchmark.ints(System.getProperty("udpClients", "1,4"));
        // Netty's UDP server here has NIO and epoll only: io_uring runs are compared with epoll on UDP.
        boolean udpEpoll = engine != Engine.NIO;

        System.out.printf(Locale.ROOT, "# the demo's echo endpoints vs plain Netty, TCP and UDP%n");
        System.out.printf(Locale.ROOT, "engine=%s serverThreads=%d clientThreads=%d warmup=%.1fs measure=%.1fs "
                        + "rounds=%d tcpSizes=%s connections=%s udpSizes=%s udpClients=%s%n",
                engine.label, config.threads(), config.clientThreads(), config.warmupSeconds(),
                config.measureSeconds(), config.rounds(), Arrays.toString(config.sizes()),
                Arrays.toString(config.connections()), Arrays.toString(udpSizes), Arrays.toString(udpClients));
        System.out.printf(Locale.ROOT, "java=%s (%s) availableProcessors=%d%n%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors());

        List<String> problems = new ArrayList<>();
        List<String> tcpRows;
        List<String> udpTable;
        try (ConfigurableApplicationContext demo = startDemo(engine, config.threads());
             NettyEchoServer netty = new NettyEchoServer(engine, config.threads());
             NettyUdpEchoServer nettyUdp = new NettyUdpEchoServer(udpEpoll);
             LoadClient client = new LoadClient(engine, config.clientThreads())) {
            InetSocketAddress echo = endpoint(demo, "echo");
            InetSocketAddress udpEcho = endpoint(demo, "udp-echo");
            System.out.printf("demo echo on %s, demo udp-echo on %s; netty echo on %s, netty udp echo on %s%n%n",
                    echo, udpEcho, netty.address(), nettyUdp.address());

            tcpRows = EchoBenchmark.compare(config, client, echo, netty.address(), problems);
            udpTable = UdpEchoBenchmark.compare(udpEcho, nettyUdp.address(), udpSizes, udpClients,
                    config.warmupSeconds(), config.measureSeconds(), config.rounds());
        }

        System.out.println();
        System.out.println("## TCP: the demo's `echo` endpoint vs Netty");
        EchoBenchmark.printTable(config, tcpRows);
        System.out.println();
        System.out.printf(Locale.ROOT, "## UDP: the demo's `udp-echo` endpoint vs Netty (%s)%n",
                udpEpoll ? "epoll" : "nio");
        udpTable.forEach(System.out::println);
        if (!problems.isEmpty()) {
            EchoBenchmark.printProblems(problems);
            System.exit(2);
        }
        // The demo's non-daemon threads are gone with the context, but be explicit for any straggler.
        System.exit(0);
    }

    private static ConfigurableApplicationContext startDemo(Engine engine, int threads) {
        return new SpringApplicationBuilder(DemoApplication.class).run(
                "--server.port=0",
                "--protoloop.endpoints.echo.port=0",
                "--protoloop.endpoints.udp-echo.port=0",
                "--protoloop.endpoints.exec.port=0",
                "--protoloop.loop.threads=" + threads,
                "--protoloop.loop.transport=" + engine.loopTransport.name(),
                "--spring.main.banner-mode=off");
    }

    private static InetSocketAddress endpoint(ConfigurableApplicationContext demo, String name) {
        Integer port = demo.getEnvironment().getProperty("local.protoloop." + name + ".port", Integer.class);
        if (port == null) {
            throw new IllegalStateException("the demo has no running endpoint '" + name + "'");
        }
        return new InetSocketAddress("127.0.0.1", port);
    }
}
