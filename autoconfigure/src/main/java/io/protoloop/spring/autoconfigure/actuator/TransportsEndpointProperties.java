package io.protoloop.spring.autoconfigure.actuator;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the transports endpoint (/actuator/transports).
 */
@ConfigurationProperties("protoloop.actuator.transports")
public class TransportsEndpointProperties {

    /**
     * Most transports one response lists; the response also gives the total and whether it was
     * truncated, and the offset and limit query parameters page through the rest.
     */
    private int maxTransports = 1000;

    /**
     * How long a request waits for a loop thread to snapshot its transports; transports of a loop
     * that does not answer in time (a blocked loop) are reported from their last published values.
     */
    private Duration snapshotTimeout = Duration.ofSeconds(1);

    private final WriteOperations writeOperations = new WriteOperations();

    public int getMaxTransports() {
        return this.maxTransports;
    }

    public void setMaxTransports(int maxTransports) {
        this.maxTransports = maxTransports;
    }

    public Duration getSnapshotTimeout() {
        return this.snapshotTimeout;
    }

    public void setSnapshotTimeout(Duration snapshotTimeout) {
        this.snapshotTimeout = snapshotTimeout;
    }

    public WriteOperations getWriteOperations() {
        return this.writeOperations;
    }

    /**
     * The operations that change live transports.
     */
    public static class WriteOperations {

        /**
         * Whether the endpoint offers write operations (close, abort, change the write-buffer
         * limits of a transport). They need the application's own security: Spring Security on the
         * classpath securing /actuator/transports, and
         * management.endpoint.transports.access=unrestricted.
         */
        private boolean enabled;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

    }

}
