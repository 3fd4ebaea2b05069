package io.protoloop;

import java.time.Duration;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.start_tls()}.
 *
 * @param serverSide       whether this end is the TLS server
 * @param serverHostname   the name to verify and send as SNI on the client side: {@code null} for none
 *                         (and no hostname verification), as in asyncio
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
    }

    /** Client side, verifying {@code serverHostname}. */
    public static StartTlsOptions client(String serverHostname) {
        return new StartTlsOptions(false, serverHostname, Tls.DEFAULT_HANDSHAKE_TIMEOUT, Tls.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /** Server side. */
    public static StartTlsOptions server() {
        return new StartTlsOptions(true, null, Tls.DEFAULT_HANDSHAKE_TIMEOUT, Tls.DEFAULT_SHUTDOWN_TIMEOUT);
    }
}
