package io.protoloop;

import io.protoloop.transport.Transport;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A listening server, asyncio's {@code asyncio.Server} (3.13 semantics).
 *
 * <p>Graceful shutdown, asyncio's way: {@link #close()} (stop listening), {@link #closeClients()}
 * (flush and close every connection), {@link #waitClosed()} with a timeout, then
 * {@link #abortClients()} for whatever remains.
 */
public interface Server extends AutoCloseable {

    /** Stops listening; connections already accepted stay open. Idempotent. */
    @Override
    void close();

    /** Closes every connection of this server gracefully (each flushes first). */
    void closeClients();

    /** Aborts every connection of this server, dropping buffered data. */
    void abortClients();

    /** Completes once the server is closed and every one of its connections has dropped. */
    CompletableFuture<Void> waitClosed();

    /** Whether the server is accepting connections. */
    boolean isServing();

    /** Starts accepting, for a server created with {@code startServing(false)}; idempotent. */
    CompletableFuture<Void> startServing();

    /**
     * Starts accepting and returns a future that completes when the server is closed; asyncio's
     * {@code serve_forever()}. {@code join()} it to block a plain-Java main thread.
     */
    CompletableFuture<Void> serveForever();

    /** The bound addresses (with the real port when bound to port 0); empty once closed. */
    List<SocketAddress> sockets();

    /**
     * A snapshot of the transports of this server's live connections (accepted and not yet lost).
     * protoloop's addition: asyncio keeps this set private ({@code Server._clients}); integrations use
     * it to report connections and to count what {@link #abortClients()} would drop.
     */
    List<Transport> transports();

    /** The loop the server was created on. */
    EventLoop loop();

    /** The server's counters now (a protoloop extension for monitoring). */
    ServerStatistics statistics();
}
