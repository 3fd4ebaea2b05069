package io.protoloop.spring.actuator;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.docs.MeterDocumentation;
import org.jspecify.annotations.Nullable;

/**
 * The meters {@link ProtoloopMetrics} registers: names, types, base units and tags. Endpoint meters
 * carry the {@code endpoint} tag (the endpoint name) and exist only for the kinds they describe, from
 * the moment the endpoint binds until it stops; loop meters carry the {@code loop} tag (the member
 * index, 0 to threads - 1) except {@link #LOOP_SLOW_CALLBACKS}, which counts the whole group. No
 * meter is ever tagged per connection.
 *
 * <p>Counters are {@code FunctionCounter}s over protoloop-core's own cumulative statistics, so
 * nothing is recorded on the I/O path. With Prometheus, bytes come out as
 * {@code protoloop_bytes_received_bytes_total}, counts as {@code protoloop_connections_total},
 * the lag as {@code protoloop_loop_lag_seconds}.
 */
public enum ProtoloopMeters implements MeterDocumentation {

    /** Connections open now (TCP, UNIX). */
    CONNECTIONS_ACTIVE("protoloop.connections.active", Meter.Type.GAUGE, null, "Connections open now"),

    /** Connections accepted since the endpoint bound (TCP, UNIX). */
    CONNECTIONS_TOTAL("protoloop.connections.total", Meter.Type.COUNTER, null,
            "Connections accepted since the endpoint bound"),

    /**
     * Bytes received, plaintext for TLS, closed connections included (TCP, UNIX, UDP); for SUBPROCESS,
     * bytes read from the processes' stdout and stderr, processes that exited included.
     */
    BYTES_RECEIVED("protoloop.bytes.received", Meter.Type.COUNTER, BaseUnits.BYTES,
            "Bytes received (plaintext for TLS), closed connections included"),

    /**
     * Bytes the operating system took, plaintext for TLS, closed connections included (TCP, UNIX, UDP);
     * for SUBPROCESS, bytes written to the processes' stdin, processes that exited included.
     */
    BYTES_SENT("protoloop.bytes.sent", Meter.Type.COUNTER, BaseUnits.BYTES,
            "Bytes sent (plaintext for TLS), closed connections included"),

    /** Bytes buffered for writing, summed over the endpoint's transports (TCP, UNIX, UDP; SUBPROCESS: stdin). */
    WRITE_BUFFER_SIZE("protoloop.write.buffer.size", Meter.Type.GAUGE, BaseUnits.BYTES,
            "Bytes buffered for writing, summed over the endpoint's transports"),

    /** The largest write buffer among the endpoint's transports (TCP, UNIX, UDP; SUBPROCESS: stdin). */
    WRITE_BUFFER_MAX("protoloop.write.buffer.max", Meter.Type.GAUGE, BaseUnits.BYTES,
            "The largest write buffer among the endpoint's transports"),

    /**
     * Transports whose protocol was told pauseWriting() and not yet resumeWriting() (TCP, UNIX, UDP;
     * SUBPROCESS: for a full stdin).
     */
    WRITING_PAUSED("protoloop.writing.paused", Meter.Type.GAUGE, null,
            "Transports whose protocol is paused for writing (write buffer over the high-water mark)"),

    /**
     * Transports with reading paused by pauseReading() (TCP, UNIX; SUBPROCESS: the process's stdout or
     * stderr, paused through getPipeTransport(fd)).
     */
    READING_PAUSED("protoloop.reading.paused", Meter.Type.GAUGE, null, "Transports with reading paused"),

    /**
     * TLS handshakes that failed since the endpoint bound (TCP and UNIX endpoints with an
     * {@code ssl.bundle}): an untrusted or missing client certificate, a plaintext client, a handshake
     * timeout. The protocol never sees these connections (asyncio hands a TLS connection to the
     * protocol only after its handshake), so this is where they show.
     */
    TLS_HANDSHAKE_FAILURES("protoloop.tls.handshake.failures", Meter.Type.COUNTER, null,
            "TLS handshakes that failed (the protocol never saw these connections)"),

    /** Datagrams received (UDP). */
    DATAGRAMS_RECEIVED("protoloop.datagrams.received", Meter.Type.COUNTER, null, "Datagrams received"),

    /** Datagrams sent (UDP). */
    DATAGRAMS_SENT("protoloop.datagrams.sent", Meter.Type.COUNTER, null, "Datagrams sent"),

    /** Send and receive errors reported to errorReceived() (UDP). */
    DATAGRAMS_ERRORS("protoloop.datagrams.errors", Meter.Type.COUNTER, null,
            "Datagram send and receive errors reported to errorReceived()"),

    /** 1 while the endpoint's process runs, else 0 (SUBPROCESS). */
    SUBPROCESSES_ACTIVE("protoloop.subprocesses.active", Meter.Type.GAUGE, null,
            "Processes running (1 or 0 per endpoint)"),

    /** Processes that exited since the endpoint started, restarted or not (SUBPROCESS). */
    SUBPROCESS_EXITS("protoloop.subprocess.exits", Meter.Type.COUNTER, null, "Processes that exited"),

    /**
     * Scheduling delay of the loop: the longest delay a lag probe saw over the last 30 seconds or so,
     * or how long the pending probe is overdue when that is longer (a blocked loop shows while it is
     * blocked). A {@code TimeGauge}, in the registry's base time unit (seconds for Prometheus). Tagged
     * {@code loop}.
     */
    LOOP_LAG("protoloop.loop.lag", Meter.Type.GAUGE, null,
            "Scheduling delay of the loop: the longest over the last 30 s, or how long it is blocked now"),

    /** Callbacks and engine tasks queued on the loop and not yet run. Tagged {@code loop}. */
    LOOP_TASKS_PENDING("protoloop.loop.tasks.pending", Meter.Type.GAUGE, null,
            "Callbacks and engine tasks queued on the loop and not yet run"),

    /** Callbacks slower than the slow-callback duration (counted in debug mode only, as asyncio does). */
    LOOP_SLOW_CALLBACKS("protoloop.loop.slow.callbacks", Meter.Type.COUNTER, null,
            "Callbacks slower than protoloop.loop.slow-callback-duration (debug mode only)");

    private final String name;

    private final Meter.Type type;

    private final @Nullable String baseUnit;

    private final String description;

    ProtoloopMeters(String name, Meter.Type type, @Nullable String baseUnit, String description) {
        this.name = name;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
    }

    @Override
    public String getName() {
        return this.name;
    }

    @Override
    public Meter.Type getType() {
        return this.type;
    }

    @Override
    public @Nullable String getBaseUnit() {
        return this.baseUnit;
    }

    /**
     * What the meter measures, as registered.
     * @return the description
     */
    public String getDescription() {
        return this.description;
    }

    @Override
    public KeyName[] getKeyNames() {
        return switch (this) {
            case LOOP_LAG, LOOP_TASKS_PENDING -> LoopKeys.values();
            case LOOP_SLOW_CALLBACKS -> EMPTY;
            default -> EndpointKeys.values();
        };
    }

    /** The tag of endpoint meters. */
    public enum EndpointKeys implements KeyName {

        /** The endpoint name. */
        ENDPOINT {
            @Override
            public String asString() {
                return "endpoint";
            }
        }

    }

    /** The tag of per-loop meters. */
    public enum LoopKeys implements KeyName {

        /** The member loop's index, 0 to {@code protoloop.loop.threads} - 1. */
        LOOP {
            @Override
            public String asString() {
                return "loop";
            }
        }

    }

}
