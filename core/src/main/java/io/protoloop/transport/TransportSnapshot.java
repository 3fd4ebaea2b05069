package io.protoloop.transport;

import java.net.SocketAddress;
import java.time.Instant;

/**
 * One transport's state at one moment, for monitoring (a protoloop extension; asyncio has none).
 * Exact when taken on the transport's loop thread ({@code transport.loop().callSoon(...)}); taken
 * from another thread, each field is a recent value.
 *
 * @param id                unique within the loop group, in creation order
 * @param kind              {@code tcp}, {@code unix}, {@code udp}, {@code subprocess} (a child process,
 *                          whose fields add up its pipes') or {@code pipe} ({@code connectReadPipe},
 *                          {@code connectWritePipe}, and each of a child's piped stdin, stdout and
 *                          stderr, with ids of their own)
 * @param peername          the remote address, or null
 * @param sockname          the local address, or null
 * @param tls               whether the transport speaks TLS
 * @param readingPaused     whether reading is paused ({@code pauseReading}); for a subprocess, whether
 *                          its stdout's or stderr's is
 * @param writingPaused     whether the protocol was told {@code pauseWriting} and not yet resumed
 *                          (a subprocess: for its stdin)
 * @param closing           whether the transport is closing or closed
 * @param writeBufferSize   bytes buffered, as {@code getWriteBufferSize()} (a subprocess: its
 *                          stdin's; 0 for a read pipe)
 * @param writeBufferLimits the water marks; null for a read pipe and a subprocess without a stdin pipe
 * @param bytesReceived     bytes received since the transport opened (plaintext for TLS; a
 *                          subprocess: from its stdout and stderr)
 * @param bytesSent         bytes the operating system took since the transport opened (a
 *                          subprocess: into its stdin)
 * @param datagramsReceived datagrams received (UDP only)
 * @param datagramsSent     datagrams sent (UDP only)
 * @param datagramErrors    send and receive errors reported to {@code errorReceived} (UDP only)
 * @param openedAt          when the transport was made
 */
public record TransportSnapshot(long id, String kind, SocketAddress peername, SocketAddress sockname, boolean tls,
                                boolean readingPaused, boolean writingPaused, boolean closing, int writeBufferSize,
                                WriteBufferLimits writeBufferLimits, long bytesReceived, long bytesSent,
                                long datagramsReceived, long datagramsSent, long datagramErrors, Instant openedAt) {
}
