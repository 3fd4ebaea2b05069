package io.protoloop;

import java.time.Duration;

/** asyncio's TLS defaults ({@code constants.py}) and the checks the option records share. */
final class Tls {

    /** asyncio's {@code SSL_HANDSHAKE_TIMEOUT}. */
    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);

    /** asyncio's {@code SSL_SHUTDOWN_TIMEOUT}. */
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private Tls() {
    }

    static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
