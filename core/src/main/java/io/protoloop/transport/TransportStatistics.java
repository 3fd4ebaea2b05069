package io.protoloop.transport;

/**
 * Implemented by every transport protoloop creates, for monitoring (a protoloop extension; asyncio
 * has none). Reading it never touches the transport's state machine.
 *
 * <pre>{@code
 * if (transport instanceof TransportStatistics stats) {
 *     TransportSnapshot now = stats.snapshot();
 * }
 * }</pre>
 */
public interface TransportStatistics {

    /** The transport's state now; exact on its loop thread, recent elsewhere. */
    TransportSnapshot snapshot();
}
