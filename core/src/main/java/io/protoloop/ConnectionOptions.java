package io.protoloop;

import io.protoloop.transport.WriteBufferLimits;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.create_connection()}, {@code create_unix_connection()}
 * and {@code connect_accepted_socket()}.
 *
 * @param localAddr         the local address to bind before connecting, or {@code null}
 * @param writeBufferLimits the water marks the transport starts with
 */
public record ConnectionOptions(InetSocketAddress localAddr, WriteBufferLimits writeBufferLimits) {

    /** asyncio's defaults. */
    public static final ConnectionOptions DEFAULT = builder().build();

    /** Validates the options. */
    public ConnectionOptions {
        Objects.requireNonNull(writeBufferLimits, "writeBufferLimits");
    }

    /** A builder starting from asyncio's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for {@link ConnectionOptions}. */
    public static final class Builder {
        private InetSocketAddress localAddr;
        private WriteBufferLimits writeBufferLimits = WriteBufferLimits.DEFAULT;

        private Builder() {
        }

        /** The local address to bind before connecting. */
        public Builder localAddr(InetSocketAddress localAddr) {
            this.localAddr = localAddr;
            return this;
        }

        /** Water marks, asyncio's rules for nulls. */
        public Builder writeBufferLimits(Integer high, Integer low) {
            this.writeBufferLimits = WriteBufferLimits.of(high, low);
            return this;
        }

        /** Builds and validates. */
        public ConnectionOptions build() {
            return new ConnectionOptions(localAddr, writeBufferLimits);
        }
    }
}
