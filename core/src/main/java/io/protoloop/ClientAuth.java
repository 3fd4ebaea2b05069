package io.protoloop;

/**
 * Whether a TLS server asks clients for a certificate; Python's {@code ssl.SSLContext.verify_mode}
 * on the server side ({@code CERT_NONE}, {@code CERT_OPTIONAL}, {@code CERT_REQUIRED}).
 */
public enum ClientAuth {

    /** No client certificate is requested. */
    NONE,

    /** A client certificate is requested and verified if sent. */
    OPTIONAL,

    /** A verified client certificate is required; the handshake fails without one. */
    REQUIRE
}
