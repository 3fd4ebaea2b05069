package io.protoloop.spring.autoconfigure;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.protoloop.EventLoop;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.ServerStatistics;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.Transport;
import io.protoloop.transport.WriteBufferLimits;
import org.jspecify.annotations.Nullable;

/**
 * A TCP or Unix socket server endpoint: asyncio's {@code create_server} / {@code create_unix_server},
 * shut down as asyncio 3.13's {@code Server}: {@code close()}, {@code close_clients()},
 * {@code wait_closed()}, then {@code abort_clients()} for what remains.
 */
final class StreamEndpointRunner extends EndpointRunner {

    private volatile @Nullable Server server;

    /** Set once {@link #abort()} aborted every connection (the server no longer accepts). */
    private volatile boolean aborted;

    StreamEndpointRunner(EndpointSpec spec, EventLoop loop) {
        super(spec, loop);
    }

    @Override
    CompletableFuture<Void> start() {
        this.state = State.STARTING;
        this.aborted = false;
        ServerOptions options = options(this.spec);
        @SuppressWarnings("unchecked")
        Supplier<? extends BaseProtocol<Transport>> factory = (Supplier<? extends BaseProtocol<Transport>>) this.spec
            .factory();
        CompletableFuture<Server> bound;
        try {
            bound = (this.spec.kind() == TransportKind.UNIX)
                    ? this.loop.createUnixServer(factory, this.spec.path(), options)
                    : this.loop.createServer(factory, this.spec.host(), this.spec.port(), options);
        }
        catch (RuntimeException ex) {
            bound = CompletableFuture.failedFuture(ex);
        }
        return bound.handle((server, failure) -> {
            if (failure != null) {
                this.state = State.STOPPED;
                throw started(StartFailures.translate(this.spec, failure));
            }
            started(null);
            this.server = server;
            this.state = State.RUNNING;
            return null;
        });
    }

    static ServerOptions options(EndpointSpec spec) {
        WriteBufferLimits limits = spec.writeBufferLimits();
        ServerOptions.Builder builder = ServerOptions.builder()
            .backlog(spec.backlog())
            .writeBufferLimits(limits.high(), limits.low());
        if (spec.kind() == TransportKind.TCP) {
            builder.reusePort(spec.reusePort()).keepAlive(spec.keepAlive());
        }
        Tls.configure(builder, spec);
        return builder.build();
    }

    @Override
    CompletableFuture<Void> shutDownGracefully() {
        Server server = this.server;
        if (server == null) {
            return CompletableFuture.completedFuture(null);
        }
        this.state = State.STOPPING;
        server.close();
        server.closeClients();
        return server.waitClosed();
    }

    @Override
    Dropped abort() {
        Server server = this.server;
        if (server == null || this.aborted) {
            return Dropped.NONE;
        }
        this.aborted = true;
        server.close();
        List<Transport> transports = server.transports();
        long bytes = 0;
        for (Transport transport : transports) {
            bytes += transport.getWriteBufferSize();
        }
        server.abortClients();
        return new Dropped(transports.size(), bytes);
    }

    @Override
    CompletableFuture<Void> stop() {
        Server server = this.server;
        if (server == null) {
            this.state = State.STOPPED;
            return CompletableFuture.completedFuture(null);
        }
        return server.waitClosed()
            .orTimeout(5, TimeUnit.SECONDS)
            .handle((ignored, failure) -> {
                this.server = null;
                this.state = State.STOPPED;
                return null;
            });
    }

    @Override
    public List<SocketAddress> getAddresses() {
        Server server = this.server;
        return (server != null) ? server.sockets() : List.of();
    }

    @Override
    public List<BaseTransport> getTransports() {
        Server server = this.server;
        return (server != null) ? List.copyOf(server.transports()) : List.of();
    }

    @Override
    public @Nullable ServerStatistics getServerStatistics() {
        Server server = this.server;
        return (server != null) ? server.statistics() : null;
    }

}
