package io.protoloop;

import io.protoloop.transport.WriteBufferLimits;

import java.net.StandardProtocolFamily;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.create_datagram_endpoint()} (the addresses are
 * parameters of {@link EventLoop#createDatagramEndpoint}).
 *
 * @param reusePort         SO_REUSEPORT
 * @param allowBroadcast    SO_BROADCAST
 * @param family            {@link StandardProtocolFamily#INET} or {@code INET6}, or {@code null} to
 *                          follow the addresses
 * @param writeBufferLimits the water marks the endpoint starts with
 */
public record DatagramOptions(boolean reusePort, boolean allowBroadcast, StandardProtocolFamily family,
                              WriteBufferLimits writeBufferLimits) {

    /** asyncio's defaults. */
    public static final DatagramOptions DEFAULT = builder().build();

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException for {@link StandardProtocolFamily#UNIX}
     */
    public DatagramOptions {
        if (family == StandardProtocolFamily.UNIX) {
            throw new IllegalArgumentException("family must be INET, INET6 or null; Unix datagram sockets are not supported");
        }
        Objects.requireNonNull(writeBufferLimits, "writeBufferLimits");
    }

    /** A builder starting from asyncio's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for {@link DatagramOptions}. */
    public static final class Builder {
        private boolean reusePort;
        private boolean allowBroadcast;
        private StandardProtocolFamily family;
        private WriteBufferLimits writeBufferLimits = WriteBufferLimits.DEFAULT;

        private Builder() {
        }

        /** SO_REUSEPORT. */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** SO_BROADCAST. */
        public Builder allowBroadcast(boolean allowBroadcast) {
            this.allowBroadcast = allowBroadcast;
            return this;
        }

        /** The address family, or null to follow the addresses. */
        public Builder family(StandardProtocolFamily family) {
            this.family = family;
            return this;
        }

        /** Water marks, asyncio's rules for nulls. */
        public Builder writeBufferLimits(Integer high, Integer low) {
            this.writeBufferLimits = WriteBufferLimits.of(high, low);
            return this;
        }

        /** Builds and validates. */
        public DatagramOptions build() {
            return new DatagramOptions(reusePort, allowBroadcast, family, writeBufferLimits);
        }
    }
}
