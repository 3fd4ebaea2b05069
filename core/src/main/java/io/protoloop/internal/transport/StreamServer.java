package io.protoloop.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.protoloop.EventLoop;
import io.protoloop.Server;
import io.protoloop.ServerStatistics;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.loop.LoopResource;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A listening TCP or Unix server: asyncio's {@code Server} with 3.13's {@code close_clients} and
 * {@code abort_clients}. It tracks its live transports so {@link #waitClosed()} can wait for them.
 */
final class StreamServer implements Server, StreamListener, LoopResource {

    private static final Logger LOG = LoggerFactory.getLogger(StreamServer.class);

    private final AbstractLoop loop;
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();
    private final Set<StreamTransport> transports = ConcurrentHashMap.newKeySet();
    /**
     * TLS connections still in their handshake: not yet the protocol's, but the server's (asyncio
     * attaches a connection to its server before the handshake), so waitClosed waits for them and
     * closeClients/abortClients end them.
     */
    private final Set<StreamTransport> handshaking = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> closedAndDrained;
    private final CompletableFuture<Void> closed;
    private final Path unixPath;
    private volatile List<SocketAddress> sockets = List.of();
    private volatile boolean serving;
    private volatile boolean isClosed;
    private final AtomicLong handshakeFailures = new AtomicLong();
    private final AtomicLong connectionsTotal = new AtomicLong();
    /** Bytes of connections already lost; live ones are summed when asked. */
    private final AtomicLong closedBytesReceived = new AtomicLong();
    private final AtomicLong closedBytesSent = new AtomicLong();

    StreamServer(AbstractLoop loop, Path unixPath) {
        this.loop = loop;
        this.unixPath = unixPath;
        this.closedAndDrained = loop.createFuture();
        this.closed = loop.createFuture();
        loop.runtime().register(this);
    }

    @Override
    public void abortOnLoopClose() {
        close();
    }

    void bound(Channel listener, SocketAddress address) {
        listeners.add(listener);
        List<SocketAddress> list = new ArrayList<>(sockets);
        list.add(address);
        sockets = List.copyOf(list);
    }

    void serving(boolean value) {
        this.serving = value;
    }

    // ---- StreamListener -------------------------------------------------------------------------

    @Override
    public void handshaking(StreamTransport transport) {
        handshaking.add(transport);
    }

    @Override
    public void attached(StreamTransport transport) {
        handshaking.remove(transport);
        if (transports.add(transport)) {
            connectionsTotal.incrementAndGet();
        }
    }

    @Override
    public void ready(StreamTransport transport, BaseProtocol<Transport> protocol) {
        // Nothing to complete: the server learned of the transport in attached().
    }

    @Override
    public void failed(StreamTransport transport, Throwable cause) {
        if (handshaking.remove(transport)) {
            completeIfDrained();
        }
        // asyncio's _accept_connection2 reports a failing factory and closes that socket only.
        loop.runtime().callExceptionHandler(Map.of("message", "Error on transport creation for incoming connection",
                "exception", cause, "transport", transport));
    }

    /**
     * asyncio only debug-logs a failed server-side handshake (an SSLError is an OSError): a client
     * with the wrong CA or a plaintext client is the client's problem, not a server bug.
     */
    @Override
    public void handshakeFailed(StreamTransport transport, Throwable cause) {
        handshaking.remove(transport);
        transports.remove(transport);
        handshakeFailures.incrementAndGet();
        LOG.debug("TLS handshake failed with {}: {}", transport.getExtraInfo("peername"), cause.toString());
        completeIfDrained();
    }

    @Override
    public ServerStatistics statistics() {
        synchronized (transports) {
            long received = closedBytesReceived.get();
            long sent = closedBytesSent.get();
            int active = 0;
            for (StreamTransport t : transports) {
                received += t.bytesReceived();
                sent += t.bytesSent();
                active++;
            }
            return new ServerStatistics(connectionsTotal.get(), active, received, sent, handshakeFailures.get());
        }
    }

    @Override
    public void lost(StreamTransport transport) {
        // Under the lock statistics() reads with: a transport moves from "live" to "closed" in one
        // step, so the totals never go down (Prometheus would read that as a counter reset).
        synchronized (transports) {
            if (transports.remove(transport)) {
                closedBytesReceived.addAndGet(transport.bytesReceived());
                closedBytesSent.addAndGet(transport.bytesSent());
            }
        }
        completeIfDrained();
    }

    /** A startTls upgrade is the same connection: it is not counted again in connectionsTotal. */
    @Override
    public void handedOver(StreamTransport old, StreamTransport replacement) {
        synchronized (transports) {
            if (transports.remove(old)) {
                closedBytesReceived.addAndGet(old.bytesReceived());
                closedBytesSent.addAndGet(old.bytesSent());
            }
            transports.add(replacement);
        }
    }

    private void completeIfDrained() {
        if (isClosed && transports.isEmpty() && handshaking.isEmpty()) {
            closedAndDrained.complete(null);
        }
    }

    // ---- Server ---------------------------------------------------------------------------------

    @Override
    public void close() {
        if (isClosed) {
            return;
        }
        isClosed = true;
        serving = false;
        for (Channel listener : listeners) {
            // asyncio closes the listening socket before close() returns: connects after it fail.
            // On the listener's own loop Netty closes synchronously; elsewhere wait for it.
            ChannelFuture f = listener.close();
            if (!listener.eventLoop().inEventLoop()) {
                f.awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        listeners.clear();
        sockets = List.of();
        if (unixPath != null) {
            removeSocketFile(unixPath);
        }
        closed.complete(null);
        loop.runtime().unregister(this);
        completeIfDrained();
    }

    static void removeSocketFile(Path path) {
        try {
            if (UnixSockets.isSocket(path)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // Someone else removed or replaced it; asyncio also leaves a replaced file alone.
        }
    }

    @Override
    public void closeClients() {
        handshaking.forEach(StreamTransport::closeHandshaking);
        for (StreamTransport t : transports) {
            t.close();
        }
    }

    @Override
    public void abortClients() {
        handshaking.forEach(StreamTransport::closeHandshaking);
        for (StreamTransport t : transports) {
            t.abort();
        }
    }

    @Override
    public CompletableFuture<Void> waitClosed() {
        return closedAndDrained;
    }

    @Override
    public boolean isServing() {
        return serving && !isClosed;
    }

    @Override
    public CompletableFuture<Void> startServing() {
        if (isClosed) {
            return CompletableFuture.failedFuture(new IllegalStateException("server " + this + " is closed"));
        }
        serving = true;
        for (Channel listener : listeners) {
            listener.config().setAutoRead(true);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> serveForever() {
        startServing().join();
        return closed;
    }

    @Override
    public List<SocketAddress> sockets() {
        return sockets;
    }

    @Override
    public List<Transport> transports() {
        return List.copyOf(transports);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** How many transports this server currently has. */
    int activeTransports() {
        return transports.size();
    }

    @Override
    public String toString() {
        return "Server[" + (isClosed ? "closed" : sockets) + "]";
    }
}
