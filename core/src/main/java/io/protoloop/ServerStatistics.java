package io.protoloop;

/**
 * A server's counters since it started, for monitoring (a protoloop extension; asyncio has none).
 * Byte counts include connections that have closed.
 *
 * @param connectionsTotal  connections handed to a protocol
 * @param connectionsActive connections open now
 * @param bytesReceived     bytes received over all connections
 * @param bytesSent         bytes sent over all connections
 * @param handshakeFailures TLS handshakes that failed (they never reach a protocol)
 */
public record ServerStatistics(long connectionsTotal, long connectionsActive, long bytesReceived, long bytesSent,
                               long handshakeFailures) {
}
