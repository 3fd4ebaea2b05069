package io.protoloop.spring.actuator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.protoloop.EventLoop;
import io.protoloop.ServerStatistics;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ManagedEndpoint.State;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code protoloop} health component: the loops and the endpoints.
 *
 * <p>{@link Status#DOWN DOWN} when a member loop is stuck (its {@link LoopLagMonitor lag} is over the
 * threshold, {@code protoloop.health.lag-threshold}) or closed, or when an endpoint failed: it could
 * not bind or spawn ({@link ManagedEndpoint#getStartFailure()}) or its process exhausted its restarts
 * ({@link State#FAILED}). Otherwise {@link Status#UP UP}; an endpoint that is starting, stopping or
 * stopped with the application is reported but does not make the application unhealthy, nor does a
 * process that exited under a restart policy that does not restart it.
 *
 * <p>Details: {@code loops} (per member: {@code lagMillis}, {@code pendingTasks}, {@code status}),
 * {@code lagThresholdMillis}, and {@code endpoints} (per name: {@code status}, {@code kind},
 * {@code state}, {@code addresses}, {@code transports}, and the failure, pid, restarts or last exit
 * code when there is one). Computing it never waits for a loop.
 */
public class ProtoloopHealthIndicator implements HealthIndicator {

    private final EndpointRegistry endpoints;

    private final LoopLagMonitor lagMonitor;

    private final Duration lagThreshold;

    /**
     * Creates the indicator.
     * @param endpoints the application's endpoints
     * @param lagMonitor the lag probe of the application's loop
     * @param lagThreshold the lag over which a loop counts as stuck
     */
    public ProtoloopHealthIndicator(EndpointRegistry endpoints, LoopLagMonitor lagMonitor, Duration lagThreshold) {
        this.endpoints = endpoints;
        this.lagMonitor = lagMonitor;
        this.lagThreshold = lagThreshold;
    }

    @Override
    public Health health() {
        boolean down = false;
        List<Map<String, Object>> loops = new ArrayList<>();
        for (int i = 0; i < this.lagMonitor.getMemberCount(); i++) {
            EventLoop member = this.lagMonitor.getMember(i);
            Duration lag = this.lagMonitor.getLag(i);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("loop", i);
            Status status;
            if (member.isClosed()) {
                status = Status.DOWN;
                details.put("reason", "closed");
            }
            else if (lag.compareTo(this.lagThreshold) > 0) {
                status = Status.DOWN;
                details.put("reason", "stuck: callbacks run " + lag.toMillis() + "ms late (threshold "
                        + this.lagThreshold.toMillis() + "ms)");
            }
            else {
                status = Status.UP;
            }
            down |= status == Status.DOWN;
            details.put("status", status.getCode());
            details.put("lagMillis", round(LoopLagMonitor.toMillis(lag.toNanos())));
            if (!member.isClosed()) {
                details.put("pendingTasks", member.statistics().pendingTasks());
            }
            loops.add(details);
        }
        Map<String, Object> endpoints = new LinkedHashMap<>();
        for (ManagedEndpoint endpoint : this.endpoints.getEndpoints()) {
            Map<String, Object> details = describe(endpoint);
            down |= Status.DOWN.getCode().equals(details.get("status"));
            endpoints.put(endpoint.getName(), details);
        }
        return (down ? Health.down() : Health.up()).withDetail("loops", loops)
            .withDetail("lagThresholdMillis", this.lagThreshold.toMillis())
            .withDetail("endpoints", endpoints)
            .build();
    }

    private static Map<String, Object> describe(ManagedEndpoint endpoint) {
        Map<String, Object> details = new LinkedHashMap<>();
        State state = endpoint.getState();
        Throwable failure = endpoint.getStartFailure();
        boolean failed = state == State.FAILED || (failure != null && state != State.RUNNING);
        details.put("status", (failed ? Status.DOWN : Status.UP).getCode());
        details.put("kind", endpoint.getKind().name());
        details.put("state", state.name());
        if (failure != null && state != State.RUNNING) {
            details.put("error", failure.getClass().getName() + ": " + failure.getMessage());
        }
        List<String> addresses = TransportsEndpoint.addresses(endpoint.getAddresses());
        if (!addresses.isEmpty()) {
            details.put("addresses", addresses);
        }
        ServerStatistics statistics = endpoint.getServerStatistics();
        details.put("transports", (statistics != null) ? statistics.connectionsActive()
                : endpoint.getTransports().size());
        putIfNotNull(details, "pid", endpoint.getPid());
        if (endpoint.getRestarts() > 0) {
            details.put("restarts", endpoint.getRestarts());
        }
        putIfNotNull(details, "lastExitCode", endpoint.getLastExitCode());
        return details;
    }

    private static void putIfNotNull(Map<String, Object> details, String key, @Nullable Object value) {
        if (value != null) {
            details.put(key, value);
        }
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }

}
