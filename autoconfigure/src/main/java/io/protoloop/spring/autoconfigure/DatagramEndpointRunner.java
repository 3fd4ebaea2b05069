package io.protoloop.spring.autoconfigure;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.protoloop.Connection;
import io.protoloop.DatagramOptions;
import io.protoloop.EventLoop;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.WriteBufferLimits;
import org.jspecify.annotations.Nullable;

/**
 * A UDP endpoint: asyncio's {@code create_datagram_endpoint(factory, local_addr=(host, port))}, one
 * transport and one protocol. A graceful shutdown closes it, which sends what is queued first.
 */
final class DatagramEndpointRunner extends EndpointRunner {

    private volatile @Nullable DatagramTransport transport;

    private volatile @Nullable SocketAddress address;

    private volatile boolean aborted;

    DatagramEndpointRunner(EndpointSpec spec, EventLoop loop) {
        super(spec, loop);
    }

    @Override
    CompletableFuture<Void> start() {
        this.state = State.STARTING;
        this.aborted = false;
        WriteBufferLimits limits = this.spec.writeBufferLimits();
        DatagramOptions options = DatagramOptions.builder()
            .reusePort(this.spec.reusePort())
            .writeBufferLimits(limits.high(), limits.low())
            .build();
        @SuppressWarnings("unchecked")
        Supplier<? extends DatagramProtocol> factory = (Supplier<? extends DatagramProtocol>) this.spec.factory();
        CompletableFuture<? extends Connection<DatagramTransport, ? extends DatagramProtocol>> created;
        try {
            InetSocketAddress local = (this.spec.host() != null)
                    ? new InetSocketAddress(this.spec.host(), this.spec.port())
                    : new InetSocketAddress(this.spec.port());
            if (local.isUnresolved()) {
                throw new UnknownHostException(this.spec.host());
            }
            created = this.loop.createDatagramEndpoint(factory, local, null, options);
        }
        catch (Exception ex) {
            created = CompletableFuture.failedFuture(ex);
        }
        return created.handle((connection, failure) -> {
            if (failure != null) {
                this.state = State.STOPPED;
                throw started(StartFailures.translate(this.spec, failure));
            }
            started(null);
            DatagramTransport transport = connection.transport();
            this.transport = transport;
            this.address = transport.getExtraInfo("sockname");
            this.state = State.RUNNING;
            return null;
        });
    }

    @Override
    CompletableFuture<Void> shutDownGracefully() {
        DatagramTransport transport = this.transport;
        if (transport == null) {
            return CompletableFuture.completedFuture(null);
        }
        this.state = State.STOPPING;
        transport.close();
        return whenLost(transport);
    }

    @Override
    Dropped abort() {
        DatagramTransport transport = this.transport;
        if (transport == null || this.aborted || transport.getProtocol() == null) {
            return Dropped.NONE;
        }
        this.aborted = true;
        long bytes = transport.getWriteBufferSize();
        transport.abort();
        return new Dropped(1, bytes);
    }

    @Override
    CompletableFuture<Void> stop() {
        DatagramTransport transport = this.transport;
        if (transport == null) {
            this.state = State.STOPPED;
            return CompletableFuture.completedFuture(null);
        }
        transport.abort();
        return whenLost(transport).orTimeout(5, TimeUnit.SECONDS).handle((ignored, failure) -> {
            this.transport = null;
            this.address = null;
            this.state = State.STOPPED;
            return null;
        });
    }

    @Override
    public List<SocketAddress> getAddresses() {
        SocketAddress address = this.address;
        return (address != null) ? List.of(address) : List.of();
    }

    @Override
    public List<BaseTransport> getTransports() {
        DatagramTransport transport = this.transport;
        return (transport != null && transport.getProtocol() != null) ? List.of(transport) : List.of();
    }

}
