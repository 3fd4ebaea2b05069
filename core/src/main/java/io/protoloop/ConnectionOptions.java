package io.protoloop;

import io.protoloop.transport.WriteBufferLimits;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.create_connection()}, {@code create_unix_connection()}
 * and {@code connect_accepted_socket()}.
 *
 * @param localAddr         the local address to bind before connecting, or {@code null}
 * @param writeBufferLimits the water marks the transport starts with
 * @param ssl               speak TLS with this context, or {@code null} for plain TCP (asyncio's {@code ssl})
 * @param serverHostname    the name to verify and send as SNI; {@code null} means the host connected
 *                          to, {@code ""} turns hostname verification off (asyncio's rules)
 * @param sslHandshakeTimeout how long the TLS handshake may take (asyncio's 60 s)
 * @param sslShutdownTimeout  how long the TLS close may take (asyncio's 30 s)
 */
public record ConnectionOptions(InetSocketAddress localAddr, WriteBufferLimits writeBufferLimits, SSLContext ssl,
                                String serverHostname, Duration sslHandshakeTimeout, Duration sslShutdownTimeout) {

    /** asyncio's defaults. */
    public static final ConnectionOptions DEFAULT = builder().build();

    /** Validates the options. */
    public ConnectionOptions {
        Objects.requireNonNull(writeBufferLimits, "writeBufferLimits");
        Objects.requireNonNull(sslHandshakeTimeout, "sslHandshakeTimeout");
        Objects.requireNonNull(sslShutdownTimeout, "sslShutdownTimeout");
        Tls.requirePositive("sslHandshakeTimeout", sslHandshakeTimeout);
        Tls.requirePositive("sslShutdownTimeout", sslShutdownTimeout);
        if (ssl == null && serverHostname != null) {
            throw new IllegalArgumentException("serverHostname is only meaningful with ssl: set ssl(SSLContext) too");
        }
    }

    /** A builder starting from asyncio's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for {@link ConnectionOptions}. */
    public static final class Builder {
        private InetSocketAddress localAddr;
        private WriteBufferLimits writeBufferLimits = WriteBufferLimits.DEFAULT;
        private SSLContext ssl;
        private String serverHostname;
        private Duration sslHandshakeTimeout = Tls.DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration sslShutdownTimeout = Tls.DEFAULT_SHUTDOWN_TIMEOUT;

        private Builder() {
        }

        /** Speaks TLS with {@code ssl} (a JDK context with the trust material). */
        public Builder ssl(SSLContext ssl) {
            this.ssl = ssl;
            return this;
        }

        /** The name to verify and send as SNI; {@code ""} turns verification off. */
        public Builder serverHostname(String serverHostname) {
            this.serverHostname = serverHostname;
            return this;
        }

        /** The TLS handshake timeout. */
        public Builder sslHandshakeTimeout(Duration timeout) {
            this.sslHandshakeTimeout = timeout;
            return this;
        }

        /** The TLS shutdown timeout. */
        public Builder sslShutdownTimeout(Duration timeout) {
            this.sslShutdownTimeout = timeout;
            return this;
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
            return new ConnectionOptions(localAddr, writeBufferLimits, ssl, serverHostname, sslHandshakeTimeout,
                    sslShutdownTimeout);
        }
    }
}
