package io.protoloop.spring.autoconfigure.actuator;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the protoloop health indicator.
 */
@ConfigurationProperties("protoloop.health")
public class ProtoloopHealthProperties {

    /**
     * Loop lag (how late a loop thread runs its callbacks) over which the loop counts as stuck and
     * the protoloop health component is DOWN.
     */
    private Duration lagThreshold = Duration.ofSeconds(1);

    /**
     * Whether the protoloop health component is part of the readiness group
     * (/actuator/health/readiness), unless
     * management.endpoint.health.group.readiness.include is set.
     */
    private boolean includeInReadiness = true;

    public Duration getLagThreshold() {
        return this.lagThreshold;
    }

    public void setLagThreshold(Duration lagThreshold) {
        this.lagThreshold = lagThreshold;
    }

    public boolean isIncludeInReadiness() {
        return this.includeInReadiness;
    }

    public void setIncludeInReadiness(boolean includeInReadiness) {
        this.includeInReadiness = includeInReadiness;
    }

}
