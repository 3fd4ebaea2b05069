package io.protoloop.spring.autoconfigure.actuator;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of protoloop's meters and of the loop-lag probe the meters and the health
 * indicator share.
 */
@ConfigurationProperties("protoloop.metrics")
public class ProtoloopMetricsProperties {

    private final LoopLag loopLag = new LoopLag();

    public LoopLag getLoopLag() {
        return this.loopLag;
    }

    /**
     * The loop-lag probe.
     */
    public static class LoopLag {

        /**
         * Time between two lag probes of each loop thread (one timer callback each). Any block at
         * least this long is observed; the protoloop health indicator reads the same probe.
         */
        private Duration interval = Duration.ofMillis(100);

        public Duration getInterval() {
            return this.interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

    }

}
