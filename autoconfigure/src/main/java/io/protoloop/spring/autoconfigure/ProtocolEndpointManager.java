package io.protoloop.spring.autoconfigure;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.protoloop.EventLoop;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpointStartedEvent;
import io.protoloop.spring.ProtocolEndpointStoppedEvent;
import io.protoloop.spring.TransportKind;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Runs the application's endpoints and is the {@link EndpointRegistry}: binds them when the context
 * starts (publishing {@code local.protoloop.<name>.port}), drains them gracefully, then aborts what
 * remains and stops subprocesses when it stops.
 */
final class ProtocolEndpointManager implements EndpointRegistry {

    private static final Log logger = LogFactory.getLog(ProtocolEndpointManager.class);

    static final String PORTS_PROPERTY_SOURCE = "protoloop.ports";

    private final EventLoop loop;

    private final EndpointResolver resolver;

    private final ApplicationContext context;

    private final Duration gracePeriod;

    private @Nullable List<EndpointRunner> runners;

    private volatile boolean running;

    ProtocolEndpointManager(EventLoop loop, EndpointResolver resolver, ApplicationContext context,
            Duration gracePeriod) {
        this.loop = loop;
        this.resolver = resolver;
        this.context = context;
        this.gracePeriod = gracePeriod;
    }

    // ---- EndpointRegistry -----------------------------------------------------------------------

    @Override
    public List<ManagedEndpoint> getEndpoints() {
        return List.copyOf(runners());
    }

    @Override
    public @Nullable ManagedEndpoint getEndpoint(String name) {
        for (EndpointRunner runner : runners()) {
            if (runner.getName().equals(name)) {
                return runner;
            }
        }
        return null;
    }

    private synchronized List<EndpointRunner> runners() {
        List<EndpointRunner> runners = this.runners;
        if (runners == null) {
            runners = new ArrayList<>();
            for (EndpointSpec spec : this.resolver.resolve()) {
                runners.add(switch (spec.kind()) {
                    case TCP, UNIX -> new StreamEndpointRunner(spec, this.loop);
                    case UDP -> new DatagramEndpointRunner(spec, this.loop);
                    case SUBPROCESS -> SubprocessEndpointRunner.create(spec, this.loop);
                });
            }
            this.runners = List.copyOf(runners);
        }
        return runners;
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    boolean isRunning() {
        return this.running;
    }

    /**
     * Resolves (first time only) and starts every endpoint, in order. When one fails, those already
     * started are aborted and the failure is thrown.
     */
    void start() {
        List<EndpointRunner> started = new ArrayList<>();
        try {
            for (EndpointRunner runner : runners()) {
                try {
                    runner.start().join();
                }
                catch (CompletionException ex) {
                    Throwable cause = StartFailures.unwrap(ex);
                    throw (cause instanceof RuntimeException runtime) ? runtime
                            : StartFailures.translate(runner.spec(), cause);
                }
                started.add(runner);
                publish(runner);
                this.context.publishEvent(new ProtocolEndpointStartedEvent(this, runner));
            }
        }
        catch (RuntimeException ex) {
            for (EndpointRunner runner : started) {
                runner.abort();
                runner.stop().orTimeout(10, TimeUnit.SECONDS).exceptionally((failure) -> null).join();
                publishStopped(runner);
            }
            throw ex;
        }
        this.running = true;
    }

    /**
     * Graceful shutdown: every server stops accepting and closes its connections (flushing them);
     * subprocess endpoints stop restarting. Once everything is closed, or the grace period
     * ({@code spring.lifecycle.timeout-per-shutdown-phase}) ran out and what remains was aborted,
     * {@code callback} runs.
     */
    void shutDownGracefully(Runnable callback) {
        List<EndpointRunner> runners = runners();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                callback.run();
            }
        };
        if (!runners.isEmpty()) {
            logger.info("Commencing graceful shutdown of protoloop endpoints. Waiting up to "
                    + this.gracePeriod.toMillis() + "ms for connections to close");
        }
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (EndpointRunner runner : runners) {
            try {
                drains.add(runner.shutDownGracefully());
            }
            catch (RuntimeException ex) {
                logger.warn("Graceful shutdown of protoloop endpoint " + runner.spec().describe() + " failed", ex);
            }
        }
        CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)).whenComplete((result, failure) -> {
            if (!timedOut.get() && !runners.isEmpty()) {
                logger.info("Graceful shutdown of protoloop endpoints complete");
            }
            finish.run();
        });
        // Abort a little before the lifecycle processor gives up on the phase, so the callback (and
        // the log of what was dropped) still happens within it.
        long graceMillis = this.gracePeriod.toMillis();
        long deadline = graceMillis - Math.min(graceMillis / 10, 1000);
        CompletableFuture.runAsync(() -> {
            if (!finished.get() && timedOut.compareAndSet(false, true)) {
                abortRemaining("did not close within the graceful shutdown period of " + graceMillis + "ms");
                finish.run();
            }
        }, CompletableFuture.delayedExecutor(deadline, TimeUnit.MILLISECONDS));
    }

    /**
     * Hard stop: aborts whatever the graceful shutdown left open (logging what is dropped), stops
     * subprocesses (SIGTERM, then SIGKILL after their stop timeout), then runs {@code callback}.
     */
    void stop(Runnable callback) {
        List<EndpointRunner> runners = runners();
        abortRemaining("were still open when the endpoints stopped");
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (EndpointRunner runner : runners) {
            try {
                stops.add(runner.stop().exceptionally((failure) -> {
                    logger.warn("Stopping protoloop endpoint " + runner.spec().describe() + " failed", failure);
                    return null;
                }).thenRun(() -> publishStopped(runner)));
            }
            catch (RuntimeException ex) {
                logger.warn("Stopping protoloop endpoint " + runner.spec().describe() + " failed", ex);
            }
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).whenComplete((result, failure) -> {
            this.running = false;
            callback.run();
        });
    }

    private void publishStopped(EndpointRunner runner) {
        try {
            this.context.publishEvent(new ProtocolEndpointStoppedEvent(this, runner));
        }
        catch (RuntimeException ex) {
            logger.warn("Publishing the stop of protoloop endpoint " + runner.spec().describe() + " failed", ex);
        }
    }

    /** Synchronized: the grace-period timer and the hard stop may race; each transport is counted once. */
    private synchronized void abortRemaining(String reason) {
        for (EndpointRunner runner : runners()) {
            EndpointRunner.Dropped dropped;
            try {
                dropped = runner.abort();
            }
            catch (RuntimeException ex) {
                logger.warn("Aborting protoloop endpoint " + runner.spec().describe() + " failed", ex);
                continue;
            }
            if (dropped.transports() > 0) {
                logger.warn("Protoloop endpoint " + runner.spec().describe() + ": " + dropped.transports()
                        + ((runner.getKind() == TransportKind.UDP) ? " transport" : " connection(s)") + " " + reason
                        + " and were aborted, dropping " + dropped.bytes() + " buffered byte(s)");
            }
        }
    }

    // ---- local.protoloop.<name>.port ------------------------------------------------------------

    private void publish(EndpointRunner runner) {
        List<SocketAddress> addresses = runner.getAddresses();
        Map<String, Object> properties = new HashMap<>();
        for (SocketAddress address : addresses) {
            if (address instanceof InetSocketAddress inet) {
                properties.putIfAbsent("local.protoloop." + runner.getName() + ".port", inet.getPort());
            }
            else if (address instanceof UnixDomainSocketAddress unix) {
                properties.putIfAbsent("local.protoloop." + runner.getName() + ".path", unix.getPath().toString());
            }
        }
        if (logger.isInfoEnabled()) {
            String where = addresses.isEmpty() ? "" : " on " + addresses.stream()
                .map(ProtocolEndpointManager::describe)
                .collect(Collectors.joining(", "));
            logger.info("Protoloop endpoint " + runner.spec().describe() + " started" + where
                    + ((runner.getPid() != null) ? " (pid " + runner.getPid() + ")" : ""));
        }
        for (ApplicationContext context = this.context; context != null; context = context.getParent()) {
            if (context instanceof ConfigurableApplicationContext configurable) {
                publish(configurable.getEnvironment(), properties);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void publish(ConfigurableEnvironment environment, Map<String, Object> properties) {
        MutablePropertySources sources = environment.getPropertySources();
        PropertySource<?> source = sources.get(PORTS_PROPERTY_SOURCE);
        if (source == null) {
            source = new MapPropertySource(PORTS_PROPERTY_SOURCE, new HashMap<>());
            sources.addFirst(source);
        }
        ((Map<String, Object>) source.getSource()).putAll(properties);
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

}
