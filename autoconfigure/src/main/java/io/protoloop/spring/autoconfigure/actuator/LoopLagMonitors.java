package io.protoloop.spring.autoconfigure.actuator;

import java.time.Duration;

import io.protoloop.EventLoop;
import io.protoloop.spring.actuator.LoopLagMonitor;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Creates the {@link LoopLagMonitor} bean the metrics and health auto-configurations share (whichever
 * runs first defines it).
 */
final class LoopLagMonitors {

    static final String INTERVAL_PROPERTY = "protoloop.metrics.loop-lag.interval";

    private LoopLagMonitors() {
    }

    static LoopLagMonitor create(EventLoop eventLoop, ProtoloopMetricsProperties properties) {
        Duration interval = properties.getLoopLag().getInterval();
        if (interval.isNegative() || interval.isZero()) {
            throw new InvalidConfigurationPropertyValueException(INTERVAL_PROPERTY, interval,
                    "The loop-lag probe interval must be positive (the default is 100ms).");
        }
        return new LoopLagMonitor(eventLoop, interval);
    }

}
