package io.protoloop.internal.transport;

import io.protoloop.protocol.BaseProtocol;
import io.protoloop.transport.Transport;

/**
 * What a stream transport tells its creator (a server, or a pending connect): protocol attached,
 * ready after {@code connectionMade}, failed to create its protocol, lost.
 */
interface StreamListener {

    /** A TLS connection is up and its handshake starts; {@link #attached} or a failure follows. */
    default void handshaking(StreamTransport transport) {
    }

    void attached(StreamTransport transport);

    void ready(StreamTransport transport, BaseProtocol<Transport> protocol);

    void failed(StreamTransport transport, Throwable cause);

    /** The TLS handshake failed; by default reported like {@link #failed}. */
    default void handshakeFailed(StreamTransport transport, Throwable cause) {
        failed(transport, cause);
    }

    void lost(StreamTransport transport);

    /**
     * {@code startTls} moved the connection from {@code old} to {@code replacement}: one connection,
     * now carried by another transport. By default reported as the new one attached and the old lost.
     */
    default void handedOver(StreamTransport old, StreamTransport replacement) {
        attached(replacement);
        lost(old);
    }
}
