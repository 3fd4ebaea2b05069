package io.protoloop.spring.actuator;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.protoloop.EventLoop;
import io.protoloop.ServerStatistics;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;
import io.protoloop.transport.WriteBufferLimits;
import io.protoloop.transport.WriteTransport;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/transports}: every endpoint of the application and every live transport, with the
 * state asyncio users reason about (reading, writing paused, closing, write buffer size and limits),
 * bytes in and out and age; {@code /actuator/transports/{id}} for one transport.
 *
 * <p>Each listed transport is snapshotted on its own loop ({@code transport.loop().callSoon}), so the
 * report never races the transport; a loop that does not answer within the snapshot timeout (it is
 * blocked) gets its transports reported from their last published values, marked
 * {@code "exact": false}.
 *
 * <p>The output is bounded: at most {@code protoloop.actuator.transports.max-transports} transports
 * per response, in endpoint order then creation order, with the {@code total} count, the
 * {@code offset} and a {@code truncated} flag; query parameters {@code endpoint}, {@code offset} and
 * {@code limit} page through the rest. Only the listed page is snapshotted on the loops.
 *
 * <p>Read-only by default ({@link Access#READ_ONLY}). The operations that change transports are in
 * {@link WritableTransportsEndpoint}, which the auto-configuration only uses when asked to.
 */
@Endpoint(id = "transports", defaultAccess = Access.READ_ONLY)
public class TransportsEndpoint {

    /** The default {@code max-transports}. */
    public static final int DEFAULT_MAX_TRANSPORTS = 1000;

    /** The default snapshot timeout. */
    public static final Duration DEFAULT_SNAPSHOT_TIMEOUT = Duration.ofSeconds(1);

    private final EndpointRegistry registry;

    private final int maxTransports;

    private final Duration snapshotTimeout;

    /**
     * Creates the endpoint.
     * @param registry the application's endpoints
     * @param maxTransports the most transports one response lists
     * @param snapshotTimeout how long to wait for a loop to take its transports' snapshots
     */
    public TransportsEndpoint(EndpointRegistry registry, int maxTransports, Duration snapshotTimeout) {
        if (maxTransports < 1) {
            throw new IllegalArgumentException("maxTransports must be at least 1, was " + maxTransports);
        }
        this.registry = registry;
        this.maxTransports = maxTransports;
        this.snapshotTimeout = snapshotTimeout;
    }

    /**
     * Every endpoint and a page of the live transports.
     * @param endpoint only this endpoint's transports (and only it in {@code endpoints})
     * @param offset how many transports to skip (default 0)
     * @param limit the most transports to list (default and upper bound: {@code max-transports})
     * @return the report
     */
    @ReadOperation
    public TransportsDescriptor transports(@Nullable String endpoint, @Nullable Integer offset,
            @Nullable Integer limit) {
        int from = (offset != null) ? offset : 0;
        int max = (limit != null) ? Math.min(limit, this.maxTransports) : this.maxTransports;
        if (from < 0 || max < 0) {
            throw new InvalidEndpointRequestException("offset and limit must not be negative",
                    "offset and limit must not be negative");
        }
        List<ManagedEndpoint> endpoints = endpoints(endpoint);
        List<EndpointDescriptor> descriptors = new ArrayList<>();
        List<Listed> listed = new ArrayList<>();
        for (ManagedEndpoint managed : endpoints) {
            List<BaseTransport> transports = managed.getTransports();
            descriptors.add(describe(managed, transports.size()));
            List<Listed> ofEndpoint = new ArrayList<>(transports.size());
            for (BaseTransport transport : transports) {
                ofEndpoint.add(new Listed(managed, transport, order(transport)));
            }
            ofEndpoint.sort(Comparator.comparingLong(Listed::order));
            listed.addAll(ofEndpoint);
        }
        int total = listed.size();
        List<Listed> page = (from >= total) ? List.of() : listed.subList(from, Math.min(total, from + max));
        List<TransportDescriptor> transports = snapshot(page);
        return new TransportsDescriptor(descriptors, total, from, transports.size(),
                from + transports.size() < total, transports);
    }

    /**
     * One live transport.
     * @param id the transport's {@code id} as listed
     * @return its report, or {@code null} (404) when no live transport has that id
     */
    @ReadOperation
    public @Nullable TransportDescriptor transport(@Selector String id) {
        Listed found = find(id);
        return (found != null) ? snapshot(List.of(found)).get(0) : null;
    }

    /**
     * Finds a live transport by the id this endpoint reports.
     * @param id the id
     * @return the transport and its endpoint, or {@code null}
     */
    @Nullable Listed find(String id) {
        for (ManagedEndpoint managed : this.registry.getEndpoints()) {
            for (BaseTransport transport : managed.getTransports()) {
                if (id(transport).equals(id)) {
                    return new Listed(managed, transport, 0);
                }
            }
        }
        return null;
    }

    private List<ManagedEndpoint> endpoints(@Nullable String name) {
        if (name == null || name.isEmpty()) {
            return this.registry.getEndpoints();
        }
        ManagedEndpoint endpoint = this.registry.getEndpoint(name);
        if (endpoint == null) {
            List<String> known = this.registry.getEndpoints().stream().map(ManagedEndpoint::getName).toList();
            String message = "No protoloop endpoint named '" + name + "'; known: " + known;
            throw new InvalidEndpointRequestException(message, message);
        }
        return List.of(endpoint);
    }

    /** Creation order where core reports it (its ids are), else after those. */
    private static long order(BaseTransport transport) {
        if (transport instanceof TransportStatistics statistics) {
            return statistics.snapshot().id();
        }
        return Long.MAX_VALUE;
    }

    // ---- snapshots on the loops -----------------------------------------------------------------

    /** Snapshots {@code listed} on their loops, in order. */
    List<TransportDescriptor> snapshot(List<Listed> listed) {
        TransportDescriptor[] result = new TransportDescriptor[listed.size()];
        Map<EventLoop, List<Integer>> byLoop = new IdentityHashMap<>();
        for (int i = 0; i < listed.size(); i++) {
            byLoop.computeIfAbsent(listed.get(i).transport().loop(), (loop) -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (Map.Entry<EventLoop, List<Integer>> entry : byLoop.entrySet()) {
            CompletableFuture<Void> future = new CompletableFuture<>();
            futures.add(future);
            try {
                entry.getKey().callSoon(() -> {
                    for (int i : entry.getValue()) {
                        result[i] = describe(listed.get(i), true);
                    }
                    future.complete(null);
                });
            }
            catch (RuntimeException ex) {
                // The loop is closed: its transports are reported from their last values below.
                future.completeExceptionally(ex);
            }
        }
        long deadline = System.nanoTime() + this.snapshotTimeout.toNanos();
        for (CompletableFuture<Void> future : futures) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            catch (ExecutionException | TimeoutException ex) {
                // Blocked or closed loop: fall back below.
            }
        }
        List<TransportDescriptor> descriptors = new ArrayList<>(result.length);
        for (int i = 0; i < result.length; i++) {
            // A loop that answers late may still fill its slots: a record (final fields) or null.
            TransportDescriptor descriptor = result[i];
            descriptors.add((descriptor != null) ? descriptor : describe(listed.get(i), false));
        }
        return descriptors;
    }

    private static TransportDescriptor describe(Listed listed, boolean exact) {
        BaseTransport transport = listed.transport();
        ProcessDescriptor process = null;
        if (transport instanceof SubprocessTransport subprocess) {
            process = new ProcessDescriptor(subprocess.getPid(), subprocess.getReturncode(),
                    listed.endpoint().getRestarts());
        }
        String endpoint = listed.endpoint().getName();
        if (transport instanceof TransportStatistics statistics) {
            TransportSnapshot s = statistics.snapshot();
            DatagramsDescriptor datagrams = ("udp".equals(s.kind()))
                    ? new DatagramsDescriptor(s.datagramsReceived(), s.datagramsSent(), s.datagramErrors()) : null;
            Instant openedAt = s.openedAt();
            return new TransportDescriptor(Long.toString(s.id()), endpoint, s.kind(),
                    address(s.peername()), address(s.sockname()), s.tls(), !s.readingPaused() && !s.closing(),
                    s.readingPaused(), s.writingPaused(), s.closing(), s.writeBufferSize(),
                    limits(s.writeBufferLimits()), s.bytesReceived(), s.bytesSent(), datagrams,
                    (openedAt != null) ? openedAt.toString() : null, age(openedAt), process, exact);
        }
        // A transport protoloop-core did not make (an application's own ManagedEndpoint): what its API tells.
        int bufferSize = 0;
        LimitsDescriptor limits = null;
        if (transport instanceof WriteTransport write) {
            bufferSize = write.getWriteBufferSize();
            limits = limits(write.getWriteBufferLimits());
        }
        else if (transport instanceof DatagramTransport datagram) {
            bufferSize = datagram.getWriteBufferSize();
            limits = limits(datagram.getWriteBufferLimits());
        }
        String kind = listed.endpoint().getKind().name().toLowerCase(Locale.ROOT);
        return new TransportDescriptor(id(transport), endpoint, kind, null, null, false, !transport.isClosing(),
                false, false, transport.isClosing(), bufferSize, limits, null, null, null, null, null, process, exact);
    }

    /** The id listed for a transport: core's id, or {@code object-<hash>} for a transport core did not make. */
    static String id(BaseTransport transport) {
        if (transport instanceof TransportStatistics statistics) {
            return Long.toString(statistics.snapshot().id());
        }
        return "object-" + Integer.toHexString(System.identityHashCode(transport));
    }

    private static @Nullable LimitsDescriptor limits(@Nullable WriteBufferLimits limits) {
        return (limits != null) ? new LimitsDescriptor(limits.low(), limits.high()) : null;
    }

    private static @Nullable Double age(@Nullable Instant openedAt) {
        if (openedAt == null) {
            return null;
        }
        return Math.max(0, Duration.between(openedAt, Instant.now()).toMillis()) / 1000.0;
    }

    private static EndpointDescriptor describe(ManagedEndpoint endpoint, int transports) {
        ServerStatistics statistics = endpoint.getServerStatistics();
        ServerDescriptor server = (statistics != null)
                ? new ServerDescriptor(statistics.connectionsActive(), statistics.connectionsTotal(),
                        statistics.bytesReceived(), statistics.bytesSent(), statistics.handshakeFailures())
                : null;
        ProcessesDescriptor processes = switch (endpoint.getKind()) {
            case SUBPROCESS -> new ProcessesDescriptor(endpoint.getPid(), endpoint.getRestarts(),
                    endpoint.getExitCount(), endpoint.getLastExitCode());
            default -> null;
        };
        Throwable failure = endpoint.getStartFailure();
        return new EndpointDescriptor(endpoint.getName(), endpoint.getKind().name(), endpoint.getState().name(),
                addresses(endpoint.getAddresses()), endpoint.getSslBundle(), transports, server, processes,
                (failure != null) ? failure.getClass().getName() + ": " + failure.getMessage() : null);
    }

    static List<String> addresses(List<SocketAddress> addresses) {
        List<String> result = new ArrayList<>(addresses.size());
        for (SocketAddress address : addresses) {
            String text = address(address);
            if (text != null) {
                result.add(text);
            }
        }
        return result;
    }

    /** {@code 127.0.0.1:8888}, {@code [::1]:8888}, or the Unix socket path. */
    static @Nullable String address(@Nullable SocketAddress address) {
        if (address == null) {
            return null;
        }
        if (address instanceof InetSocketAddress inet) {
            String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return address.toString();
    }

    /**
     * A transport found in the registry.
     * @param endpoint its endpoint
     * @param transport the transport
     * @param order its place in the listing
     */
    record Listed(ManagedEndpoint endpoint, BaseTransport transport, long order) {

    }

    /**
     * The report of {@code GET /actuator/transports}.
     * @param endpoints every endpoint (or the one asked for)
     * @param total how many live transports there are (of that endpoint)
     * @param offset how many were skipped
     * @param count how many are listed
     * @param truncated whether more transports follow this page
     * @param transports the listed transports
     */
    public record TransportsDescriptor(List<EndpointDescriptor> endpoints, int total, int offset, int count,
            boolean truncated, List<TransportDescriptor> transports) {

    }

    /**
     * One endpoint.
     * @param name its name
     * @param kind {@code TCP}, {@code UDP}, {@code UNIX} or {@code SUBPROCESS}
     * @param state where it is in its life ({@code RUNNING}, ...)
     * @param addresses the bound addresses
     * @param sslBundle the SSL bundle it serves TLS with, or {@code null}
     * @param transports how many live transports it has
     * @param server the server's counters (TCP, UNIX), or {@code null}
     * @param processes the process supervision (SUBPROCESS), or {@code null}
     * @param startFailure why its last start failed, or {@code null}
     */
    public record EndpointDescriptor(String name, String kind, String state, List<String> addresses,
            @Nullable String sslBundle, int transports, @Nullable ServerDescriptor server,
            @Nullable ProcessesDescriptor processes, @Nullable String startFailure) {

    }

    /**
     * A server's counters since it bound.
     * @param connectionsActive connections open now
     * @param connectionsTotal connections accepted
     * @param bytesReceived bytes received, closed connections included
     * @param bytesSent bytes sent, closed connections included
     * @param handshakeFailures failed TLS handshakes
     */
    public record ServerDescriptor(long connectionsActive, long connectionsTotal, long bytesReceived, long bytesSent,
            long handshakeFailures) {

    }

    /**
     * A SUBPROCESS endpoint's supervision.
     * @param pid the running process, or {@code null}
     * @param restarts restarts since the endpoint started
     * @param exits processes that exited since the endpoint started
     * @param lastExitCode the exit code of the last process that ended, or {@code null}
     */
    public record ProcessesDescriptor(@Nullable Long pid, int restarts, long exits, @Nullable Integer lastExitCode) {

    }

    /**
     * One live transport.
     * @param id its id (core's transport id; {@code object-<hash>} for a transport core did not make)
     * @param endpoint the endpoint it belongs to
     * @param kind {@code tcp}, {@code unix}, {@code udp}, {@code subprocess}
     * @param peername the remote address, or {@code null}
     * @param sockname the local address, or {@code null}
     * @param tls whether it speaks TLS
     * @param reading asyncio's {@code is_reading()}
     * @param readingPaused whether reading is paused ({@code pauseReading()}; for a subprocess, of its
     * stdout or stderr)
     * @param writingPaused whether the protocol is paused for writing (buffer went over high; stdin's
     * for a subprocess)
     * @param closing whether it is closing
     * @param writeBufferSize bytes buffered for writing ({@code getWriteBufferSize()}; stdin's for a
     * subprocess)
     * @param writeBufferLimits the water marks, or {@code null}
     * @param bytesReceived bytes received (from stdout and stderr for a subprocess), or {@code null} when
     * not counted
     * @param bytesSent bytes sent (into stdin for a subprocess), or {@code null} when not counted
     * @param datagrams datagram counters (UDP), or {@code null}
     * @param openedAt when it was made (ISO-8601), or {@code null}
     * @param ageSeconds how long it has been open, or {@code null}
     * @param process the process (SUBPROCESS), or {@code null}
     * @param exact whether this was taken on the transport's loop ({@code false}: the loop did not
     * answer in time, the values are the last published ones)
     */
    public record TransportDescriptor(String id, String endpoint, String kind, @Nullable String peername, @Nullable String sockname,
            boolean tls, boolean reading, boolean readingPaused, boolean writingPaused, boolean closing,
            int writeBufferSize, @Nullable LimitsDescriptor writeBufferLimits, @Nullable Long bytesReceived,
            @Nullable Long bytesSent, @Nullable DatagramsDescriptor datagrams, @Nullable String openedAt,
            @Nullable Double ageSeconds, @Nullable ProcessDescriptor process, boolean exact) {

    }

    /**
     * Write-buffer water marks.
     * @param low resume at or under this many bytes
     * @param high pause over this many bytes
     */
    public record LimitsDescriptor(int low, int high) {

    }

    /**
     * Datagram counters.
     * @param received datagrams received
     * @param sent datagrams sent
     * @param errors send and receive errors
     */
    public record DatagramsDescriptor(long received, long sent, long errors) {

    }

    /**
     * The process of a subprocess transport.
     * @param pid its pid
     * @param returncode its exit code, {@code -N} when killed by signal N; {@code null} while it runs
     * @param restarts restarts of its endpoint so far
     */
    public record ProcessDescriptor(long pid, @Nullable Integer returncode, int restarts) {

    }

}
