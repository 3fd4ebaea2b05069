package io.protoloop.spring.actuator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.protoloop.EventLoop;
import io.protoloop.ServerStatistics;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpointEvent;
import io.protoloop.spring.ProtocolEndpointStartedEvent;
import io.protoloop.spring.ProtocolEndpointStoppedEvent;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteTransport;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;

/**
 * Micrometer meters for protoloop ({@link ProtoloopMeters}): per endpoint, registered when the
 * endpoint binds ({@link ProtocolEndpointStartedEvent}) and removed when it stops; per member loop,
 * registered when the binder is bound to a registry.
 *
 * <p>Nothing is recorded on the I/O path. Counters are {@link FunctionCounter}s over protoloop-core's
 * cumulative statistics ({@code Server.statistics()}, {@code TransportStatistics.snapshot()}), gauges
 * aggregate the endpoint's live transports when read. One aggregation serves every meter of an
 * endpoint read within {@value #SAMPLE_TTL_MILLIS} ms (a scrape reads them together), so a scrape
 * costs one pass over the endpoint's transports. The values are read off the loops (core's
 * counters are published for that), so a scrape never waits for a busy or blocked loop; the
 * {@code /actuator/transports} endpoint is the place for exact per-transport snapshots.
 *
 * <p>Usable without Spring: bind it to a registry and call {@link #endpointStarted(ManagedEndpoint)}
 * and {@link #endpointStopped(ManagedEndpoint)}.
 */
public class ProtoloopMetrics implements MeterBinder, ApplicationListener<ProtocolEndpointEvent>, AutoCloseable {

    /** How long one aggregation of an endpoint's transports serves its meters. */
    static final long SAMPLE_TTL_MILLIS = 200;

    /** The window {@link ProtoloopMeters#LOOP_LAG} reports the longest delay over. */
    static final Duration LAG_WINDOW = Duration.ofSeconds(30);

    private final EventLoop loop;

    private final LoopLagMonitor lagMonitor;

    private final @Nullable EndpointRegistry endpoints;

    private final TimeWindowMax[] lagMax;

    private final LoopLagMonitor.Listener lagListener;

    private final List<MeterRegistry> registries = new ArrayList<>();

    /** The endpoints that run now, by name. */
    private final Map<String, EndpointSampler> samplers = new LinkedHashMap<>();

    /** The meters registered per registry and endpoint name. */
    private final Map<MeterRegistry, Map<String, List<Meter>>> endpointMeters = new LinkedHashMap<>();

    /**
     * Creates the binder.
     * @param loop the loop (group) whose members get loop meters
     * @param lagMonitor the lag probe of {@code loop}; {@link ProtoloopMeters#LOOP_LAG} reads it
     * @param endpoints the registry whose {@link ProtocolEndpointEvent}s this binder follows, or
     * {@code null} to follow every registry's (or none, when used without Spring)
     */
    public ProtoloopMetrics(EventLoop loop, LoopLagMonitor lagMonitor, @Nullable EndpointRegistry endpoints) {
        this.loop = loop;
        this.lagMonitor = lagMonitor;
        this.endpoints = endpoints;
        this.lagMax = new TimeWindowMax[lagMonitor.getMemberCount()];
        for (int i = 0; i < this.lagMax.length; i++) {
            this.lagMax[i] = new TimeWindowMax(Clock.SYSTEM, LAG_WINDOW.toMillis() / 3, 3);
        }
        this.lagListener = (index, lagNanos) -> this.lagMax[index].record(lagNanos, TimeUnit.NANOSECONDS);
        lagMonitor.addListener(this.lagListener);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registries.contains(registry)) {
            return;
        }
        this.registries.add(registry);
        bindLoops(registry);
        Map<String, List<Meter>> meters = new LinkedHashMap<>();
        for (EndpointSampler sampler : this.samplers.values()) {
            meters.put(sampler.name, bindEndpoint(registry, sampler));
        }
        this.endpointMeters.put(registry, meters);
    }

    @Override
    public void onApplicationEvent(ProtocolEndpointEvent event) {
        if (this.endpoints != null && event.getRegistry() != this.endpoints) {
            return;
        }
        if (event instanceof ProtocolEndpointStartedEvent) {
            endpointStarted(event.getEndpoint());
        }
        else if (event instanceof ProtocolEndpointStoppedEvent) {
            endpointStopped(event.getEndpoint());
        }
    }

    /**
     * Registers the meters of an endpoint that just bound (or whose process runs), replacing those
     * of an earlier endpoint with the same name.
     * @param endpoint the endpoint
     */
    public synchronized void endpointStarted(ManagedEndpoint endpoint) {
        remove(endpoint.getName());
        EndpointSampler sampler = new EndpointSampler(endpoint);
        this.samplers.put(sampler.name, sampler);
        for (MeterRegistry registry : this.registries) {
            this.endpointMeters.computeIfAbsent(registry, (key) -> new LinkedHashMap<>())
                .put(sampler.name, bindEndpoint(registry, sampler));
        }
    }

    /**
     * Removes the meters of an endpoint that stopped.
     * @param endpoint the endpoint
     */
    public synchronized void endpointStopped(ManagedEndpoint endpoint) {
        EndpointSampler sampler = this.samplers.get(endpoint.getName());
        if (sampler != null && sampler.endpoint == endpoint) {
            remove(endpoint.getName());
        }
    }

    private void remove(String name) {
        this.samplers.remove(name);
        for (Map.Entry<MeterRegistry, Map<String, List<Meter>>> entry : this.endpointMeters.entrySet()) {
            List<Meter> meters = entry.getValue().remove(name);
            if (meters != null) {
                meters.forEach(entry.getKey()::remove);
            }
        }
    }

    /** Stops following the lag probe. */
    @Override
    public void close() {
        this.lagMonitor.removeListener(this.lagListener);
    }

    // ---- loop meters ----------------------------------------------------------------------------

    private void bindLoops(MeterRegistry registry) {
        for (int i = 0; i < this.lagMonitor.getMemberCount(); i++) {
            int index = i;
            EventLoop member = this.lagMonitor.getMember(i);
            Tags tags = Tags.of(ProtoloopMeters.LoopKeys.LOOP.asString(), Integer.toString(i));
            TimeGauge.builder(ProtoloopMeters.LOOP_LAG.getName(), this, TimeUnit.NANOSECONDS,
                    (metrics) -> metrics.lagNanos(index))
                .tags(tags)
                .description(ProtoloopMeters.LOOP_LAG.getDescription())
                .strongReference(true)
                .register(registry);
            Gauge.builder(ProtoloopMeters.LOOP_TASKS_PENDING.getName(), member,
                    (m) -> m.isClosed() ? 0 : m.statistics().pendingTasks())
                .tags(tags)
                .description(ProtoloopMeters.LOOP_TASKS_PENDING.getDescription())
                .strongReference(true)
                .register(registry);
        }
        FunctionCounter.builder(ProtoloopMeters.LOOP_SLOW_CALLBACKS.getName(), this.loop,
                (l) -> l.isClosed() ? 0 : l.statistics().slowCallbacks())
            .description(ProtoloopMeters.LOOP_SLOW_CALLBACKS.getDescription())
            .register(registry);
    }

    private double lagNanos(int index) {
        double recent = this.lagMax[index].poll(TimeUnit.NANOSECONDS);
        return Math.max(recent, this.lagMonitor.getLag(index).toNanos());
    }

    // ---- endpoint meters ------------------------------------------------------------------------

    private List<Meter> bindEndpoint(MeterRegistry registry, EndpointSampler sampler) {
        Tags tags = Tags.of(ProtoloopMeters.EndpointKeys.ENDPOINT.asString(), sampler.name);
        List<Meter> meters = new ArrayList<>();
        switch (sampler.endpoint.getKind()) {
            case TCP, UNIX -> {
                meters.add(gauge(registry, ProtoloopMeters.CONNECTIONS_ACTIVE, tags, sampler, Sample::connectionsActive));
                meters.add(counter(registry, ProtoloopMeters.CONNECTIONS_TOTAL, tags, sampler, Sample::connectionsTotal));
                addBytesAndBuffers(registry, tags, sampler, meters);
                meters.add(gauge(registry, ProtoloopMeters.READING_PAUSED, tags, sampler, Sample::readingPaused));
                if (sampler.endpoint.getSslBundle() != null) {
                    meters.add(counter(registry, ProtoloopMeters.TLS_HANDSHAKE_FAILURES, tags, sampler,
                            Sample::handshakeFailures));
                }
            }
            case UDP -> {
                addBytesAndBuffers(registry, tags, sampler, meters);
                meters.add(counter(registry, ProtoloopMeters.DATAGRAMS_RECEIVED, tags, sampler,
                        Sample::datagramsReceived));
                meters.add(counter(registry, ProtoloopMeters.DATAGRAMS_SENT, tags, sampler, Sample::datagramsSent));
                meters.add(counter(registry, ProtoloopMeters.DATAGRAMS_ERRORS, tags, sampler, Sample::datagramErrors));
            }
            case SUBPROCESS -> {
                // The process's transport adds up its pipes: stdout and stderr in, stdin out and buffered.
                addBytesAndBuffers(registry, tags, sampler, meters);
                meters.add(gauge(registry, ProtoloopMeters.READING_PAUSED, tags, sampler, Sample::readingPaused));
                meters.add(gauge(registry, ProtoloopMeters.SUBPROCESSES_ACTIVE, tags, sampler,
                        Sample::subprocessesActive));
                meters.add(counter(registry, ProtoloopMeters.SUBPROCESS_EXITS, tags, sampler, Sample::exits));
            }
        }
        return meters;
    }

    private static void addBytesAndBuffers(MeterRegistry registry, Tags tags, EndpointSampler sampler,
            List<Meter> meters) {
        meters.add(counter(registry, ProtoloopMeters.BYTES_RECEIVED, tags, sampler, Sample::bytesReceived));
        meters.add(counter(registry, ProtoloopMeters.BYTES_SENT, tags, sampler, Sample::bytesSent));
        meters.add(gauge(registry, ProtoloopMeters.WRITE_BUFFER_SIZE, tags, sampler, Sample::writeBufferSize));
        meters.add(gauge(registry, ProtoloopMeters.WRITE_BUFFER_MAX, tags, sampler, Sample::writeBufferMax));
        meters.add(gauge(registry, ProtoloopMeters.WRITING_PAUSED, tags, sampler, Sample::writingPaused));
    }

    private static Gauge gauge(MeterRegistry registry, ProtoloopMeters meter, Tags tags, EndpointSampler sampler,
            ToDoubleFunction<Sample> value) {
        return Gauge.builder(meter.getName(), sampler, (s) -> value.applyAsDouble(s.sample()))
            .tags(tags)
            .description(meter.getDescription())
            .baseUnit(meter.getBaseUnit())
            .strongReference(true)
            .register(registry);
    }

    private static FunctionCounter counter(MeterRegistry registry, ProtoloopMeters meter, Tags tags,
            EndpointSampler sampler, ToDoubleFunction<Sample> value) {
        // The sampler is held by this binder (samplers) while the counter is registered.
        return FunctionCounter.builder(meter.getName(), sampler, (s) -> value.applyAsDouble(s.sample()))
            .tags(tags)
            .description(meter.getDescription())
            .baseUnit(meter.getBaseUnit())
            .register(registry);
    }

    /**
     * One aggregation of an endpoint's state.
     */
    record Sample(long takenAt, long connectionsActive, long connectionsTotal, long bytesReceived, long bytesSent,
            long writeBufferSize, long writeBufferMax, long writingPaused, long readingPaused, long datagramsReceived,
            long datagramsSent, long datagramErrors, long subprocessesActive, long exits, long handshakeFailures) {

    }

    /**
     * Aggregates one endpoint, at most once per {@link #SAMPLE_TTL_MILLIS}. Cumulative values never go
     * down: a connection moving from "live" to "closed" in the server's totals while they are read
     * could otherwise be missed for one read, which a Prometheus counter would take for a reset.
     */
    static final class EndpointSampler {

        final String name;

        final ManagedEndpoint endpoint;

        private volatile @Nullable Sample sample;

        private long connectionsTotal;

        private long bytesReceived;

        private long bytesSent;

        private long datagramsReceived;

        private long datagramsSent;

        private long datagramErrors;

        private long exits;

        private long handshakeFailures;

        EndpointSampler(ManagedEndpoint endpoint) {
            this.name = endpoint.getName();
            this.endpoint = endpoint;
        }

        Sample sample() {
            long now = System.nanoTime();
            Sample sample = this.sample;
            if (sample != null && now - sample.takenAt() < TimeUnit.MILLISECONDS.toNanos(SAMPLE_TTL_MILLIS)) {
                return sample;
            }
            synchronized (this) {
                sample = this.sample;
                if (sample == null || now - sample.takenAt() >= TimeUnit.MILLISECONDS.toNanos(SAMPLE_TTL_MILLIS)) {
                    sample = take(System.nanoTime());
                    this.sample = sample;
                }
                return sample;
            }
        }

        private Sample take(long now) {
            long bufferSize = 0;
            long bufferMax = 0;
            long writingPaused = 0;
            long readingPaused = 0;
            // Processes that exited (SUBPROCESS; 0 for other kinds) before the live transports: one
            // moving from those to these meanwhile is missed for one sample, never counted twice.
            long received = this.endpoint.getExitedBytesReceived();
            long sent = this.endpoint.getExitedBytesSent();
            long datagramsReceived = 0;
            long datagramsSent = 0;
            long datagramErrors = 0;
            List<BaseTransport> transports = this.endpoint.getTransports();
            for (BaseTransport transport : transports) {
                long size;
                if (transport instanceof TransportStatistics statistics) {
                    TransportSnapshot snapshot = statistics.snapshot();
                    size = snapshot.writeBufferSize();
                    writingPaused += snapshot.writingPaused() ? 1 : 0;
                    readingPaused += (snapshot.readingPaused() && !snapshot.closing()) ? 1 : 0;
                    received += snapshot.bytesReceived();
                    sent += snapshot.bytesSent();
                    datagramsReceived += snapshot.datagramsReceived();
                    datagramsSent += snapshot.datagramsSent();
                    datagramErrors += snapshot.datagramErrors();
                }
                else if (transport instanceof WriteTransport write) {
                    size = write.getWriteBufferSize();
                }
                else if (transport instanceof DatagramTransport datagram) {
                    size = datagram.getWriteBufferSize();
                }
                else {
                    size = 0;
                }
                bufferSize += size;
                bufferMax = Math.max(bufferMax, size);
            }
            long active = transports.size();
            ServerStatistics server = this.endpoint.getServerStatistics();
            if (server != null) {
                // The server's totals include closed connections; the transports' only live ones.
                active = server.connectionsActive();
                received = server.bytesReceived();
                sent = server.bytesSent();
                this.connectionsTotal = Math.max(this.connectionsTotal, server.connectionsTotal());
                this.handshakeFailures = Math.max(this.handshakeFailures, server.handshakeFailures());
            }
            this.bytesReceived = Math.max(this.bytesReceived, received);
            this.bytesSent = Math.max(this.bytesSent, sent);
            this.datagramsReceived = Math.max(this.datagramsReceived, datagramsReceived);
            this.datagramsSent = Math.max(this.datagramsSent, datagramsSent);
            this.datagramErrors = Math.max(this.datagramErrors, datagramErrors);
            this.exits = Math.max(this.exits, this.endpoint.getExitCount());
            long processes = (this.endpoint.getPid() != null) ? 1 : 0;
            return new Sample(now, active, this.connectionsTotal, this.bytesReceived, this.bytesSent, bufferSize,
                    bufferMax, writingPaused, readingPaused, this.datagramsReceived, this.datagramsSent,
                    this.datagramErrors, processes, this.exits, this.handshakeFailures);
        }

    }

}
