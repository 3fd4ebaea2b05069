package io.protoloop.spring.autoconfigure;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.protoloop.EventLoop;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.BaseTransport;
import org.jspecify.annotations.Nullable;

/**
 * Runs one endpoint on the loop: start (bind or spawn), graceful shutdown, abort and stop. Also its
 * {@link ManagedEndpoint} view for the registry.
 */
abstract class EndpointRunner implements ManagedEndpoint {

    protected final EndpointSpec spec;

    protected final EventLoop loop;

    protected volatile State state = State.STOPPED;

    /** Why the last start failed; cleared by a successful start. */
    protected volatile @Nullable Throwable startFailure;

    EndpointRunner(EndpointSpec spec, EventLoop loop) {
        this.spec = spec;
        this.loop = loop;
    }

    /** Binds or spawns; the future completes once the endpoint serves, or fails with a startup error. */
    abstract CompletableFuture<Void> start();

    /**
     * Stops accepting and closes every transport gracefully (buffered data is flushed); the future
     * completes once everything is closed.
     */
    abstract CompletableFuture<Void> shutDownGracefully();

    /** Aborts whatever is still open and reports what was dropped. */
    abstract Dropped abort();

    /** Stops for good (processes are terminated, then killed); the future completes once stopped. */
    abstract CompletableFuture<Void> stop();

    EndpointSpec spec() {
        return this.spec;
    }

    @Override
    public String getName() {
        return this.spec.name();
    }

    @Override
    public TransportKind getKind() {
        return this.spec.kind();
    }

    @Override
    public State getState() {
        return this.state;
    }

    @Override
    public List<SocketAddress> getAddresses() {
        return List.of();
    }

    @Override
    public List<BaseTransport> getTransports() {
        return List.of();
    }

    @Override
    public @Nullable String getSslBundle() {
        return this.spec.sslBundleName();
    }

    @Override
    public @Nullable Long getPid() {
        return null;
    }

    @Override
    public int getRestarts() {
        return 0;
    }

    @Override
    public @Nullable Integer getLastExitCode() {
        return null;
    }

    @Override
    public @Nullable Throwable getStartFailure() {
        return this.startFailure;
    }

    /** Records the outcome of a start and returns {@code failure} to throw, or {@code null}. */
    protected @Nullable RuntimeException started(@Nullable RuntimeException failure) {
        this.startFailure = failure;
        return failure;
    }

    @Override
    public String toString() {
        return "ManagedEndpoint[" + this.spec.name() + ", " + this.spec.kind() + ", " + this.state + "]";
    }

    /**
     * Completes once {@code transport} has lost its connection (its protocol is gone), checking on
     * the transport's own loop.
     */
    static CompletableFuture<Void> whenLost(BaseTransport transport) {
        CompletableFuture<Void> lost = new CompletableFuture<>();
        checkLost(transport, lost);
        return lost;
    }

    private static void checkLost(BaseTransport transport, CompletableFuture<Void> lost) {
        EventLoop loop = transport.loop();
        if (loop.isClosed()) {
            lost.complete(null);
            return;
        }
        try {
            loop.callSoon(() -> {
                if (transport.getProtocol() == null) {
                    lost.complete(null);
                }
                else {
                    loop.callLater(0.01, () -> checkLost(transport, lost));
                }
            });
        }
        catch (RuntimeException ex) {
            // The loop closed meanwhile; it aborted the transport.
            lost.complete(null);
        }
    }

    /**
     * What an abort dropped.
     * @param transports how many transports were aborted
     * @param bytes how many buffered bytes they still held
     */
    record Dropped(int transports, long bytes) {

        static final Dropped NONE = new Dropped(0, 0);

        Dropped plus(Dropped other) {
            return new Dropped(this.transports + other.transports, this.bytes + other.bytes);
        }

    }

}
