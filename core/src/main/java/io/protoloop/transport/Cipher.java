package io.protoloop.transport;

/**
 * The {@code "cipher"} extra info of a TLS transport, Python's {@code SSLSocket.cipher()} triple.
 *
 * @param name       the cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param protocol   the protocol version, e.g. {@code TLSv1.3}
 * @param secretBits the secret key length in bits (derived from the suite name; 0 when unknown)
 */
public record Cipher(String name, String protocol, int secretBits) {
}
