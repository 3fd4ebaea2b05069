package io.protoloop;

import java.time.Duration;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.start_tls()}.
 *
 * @param serverSide       whether this end is the TLS server
 * @param serverHostname   the client side's name to verify and send as SNI; required there, as asyncio
 *                         requires it with hostname checking on: {@code ""} turns verification off;
 *                         ignored on the server side
 * @param handshakeTimeout how long the handshake may take (asyncio's 60 s)
 * @param shutdownTimeout  how long the TLS shutdown may take before the connection is aborted (30 s)
 */
public record StartTlsOptions(boolean serverSide, String serverHostname, Duration handshakeTimeout,
                              Duration shutdownTimeout) {

    /** Validates the options. */
    public StartTlsOptions {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Tls.requirePositive("handshakeTimeout", handshakeTimeout);
        Tls.requirePositive("shutdownTimeout", shutdownTimeout);
        if (!serverSide && serverHostname == null) {
            // asyncio: "check_hostname requires server_hostname". Never skip verification by omission.
            throw new IllegalArgumentException("a client-side startTls needs serverHostname, the name to verify "
                    + "the server's certificate against (\"\" turns hostname verification off)");
        }
    }

    /** A builder: client side with the default timeouts until told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** Client side, verifying {@code serverHostname}. */
    public static StartTlsOptions client(String serverHostname) {
        return new StartTlsOptions(false, serverHostname, Tls.DEFAULT_HANDSHAKE_TIMEOUT, Tls.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /** Server side. */
    public static StartTlsOptions server() {
        return new StartTlsOptions(true, null, Tls.DEFAULT_HANDSHAKE_TIMEOUT, Tls.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /** Builds {@link StartTlsOptions}; {@link #build()} validates. */
    public static final class Builder {
        private boolean serverSide;
        private String serverHostname;
        private Duration handshakeTimeout = Tls.DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration shutdownTimeout = Tls.DEFAULT_SHUTDOWN_TIMEOUT;

        private Builder() {
        }

        /** Whether this end is the TLS server (default false). */
        public Builder serverSide(boolean serverSide) {
            this.serverSide = serverSide;
            return this;
        }

        /** The name a client verifies and sends as SNI ({@code ""}: no verification). */
        public Builder serverHostname(String serverHostname) {
            this.serverHostname = serverHostname;
            return this;
        }

        /** How long the handshake may take (default 60 s). */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        /** How long the TLS shutdown may take (default 30 s). */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /** Builds and validates. */
        public StartTlsOptions build() {
            return new StartTlsOptions(serverSide, serverHostname, handshakeTimeout, shutdownTimeout);
        }
    }
}
