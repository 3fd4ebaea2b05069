package io.protoloop;

import io.protoloop.transport.WriteBufferLimits;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.create_server()} / {@code create_unix_server()}.
 *
 * @param backlog           the listen backlog (asyncio's default 100)
 * @param reuseAddress      SO_REUSEADDR (asyncio's default on Unix: true)
 * @param reusePort         SO_REUSEPORT, several servers on one port (epoll, io_uring and NIO on Linux)
 * @param keepAlive         SO_KEEPALIVE on accepted connections
 * @param startServing      accept at once; when false, call {@link Server#startServing()}
 * @param writeBufferLimits the water marks every accepted transport starts with
 * @param ssl               serve TLS with this context, or {@code null} for plain TCP (asyncio's {@code ssl})
 * @param clientAuth        whether TLS clients must present a certificate
 * @param sslHandshakeTimeout how long a TLS handshake may take (asyncio's 60 s); a slower one aborts
 * @param sslShutdownTimeout  how long the TLS close may take (asyncio's 30 s)
 */
public record ServerOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean keepAlive,
                            boolean startServing, WriteBufferLimits writeBufferLimits, SSLContext ssl,
                            ClientAuth clientAuth, Duration sslHandshakeTimeout, Duration sslShutdownTimeout) {

    /** asyncio's defaults. */
    public static final ServerOptions DEFAULT = builder().build();

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException when {@code backlog < 0}
     */
    public ServerOptions {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog must be >= 0, was " + backlog);
        }
        Objects.requireNonNull(writeBufferLimits, "writeBufferLimits");
        Objects.requireNonNull(clientAuth, "clientAuth");
        Objects.requireNonNull(sslHandshakeTimeout, "sslHandshakeTimeout");
        Objects.requireNonNull(sslShutdownTimeout, "sslShutdownTimeout");
        Tls.requirePositive("sslHandshakeTimeout", sslHandshakeTimeout);
        Tls.requirePositive("sslShutdownTimeout", sslShutdownTimeout);
        if (ssl == null && clientAuth != ClientAuth.NONE) {
            throw new IllegalArgumentException("clientAuth " + clientAuth + " needs ssl: set ssl(SSLContext) too");
        }
    }

    /** A builder starting from asyncio's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for {@link ServerOptions}. */
    public static final class Builder {
        private int backlog = 100;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private boolean keepAlive;
        private boolean startServing = true;
        private WriteBufferLimits writeBufferLimits = WriteBufferLimits.DEFAULT;
        private SSLContext ssl;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Duration sslHandshakeTimeout = Tls.DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration sslShutdownTimeout = Tls.DEFAULT_SHUTDOWN_TIMEOUT;

        private Builder() {
        }

        /** Serves TLS with {@code ssl} (a JDK context with the server's key material). */
        public Builder ssl(SSLContext ssl) {
            this.ssl = ssl;
            return this;
        }

        /** Whether TLS clients must present a certificate. */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
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

        /** The listen backlog. */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** SO_REUSEADDR. */
        public Builder reuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        /** SO_REUSEPORT. */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** SO_KEEPALIVE on accepted connections. */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /** Whether to accept at once. */
        public Builder startServing(boolean startServing) {
            this.startServing = startServing;
            return this;
        }

        /** Water marks for accepted transports, asyncio's rules for nulls. */
        public Builder writeBufferLimits(Integer high, Integer low) {
            this.writeBufferLimits = WriteBufferLimits.of(high, low);
            return this;
        }

        /** Builds and validates. */
        public ServerOptions build() {
            return new ServerOptions(backlog, reuseAddress, reusePort, keepAlive, startServing, writeBufferLimits, ssl,
                    clientAuth, sslHandshakeTimeout, sslShutdownTimeout);
        }
    }
}
