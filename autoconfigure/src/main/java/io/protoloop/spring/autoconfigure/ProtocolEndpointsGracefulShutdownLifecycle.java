package io.protoloop.spring.autoconfigure;

import org.springframework.context.SmartLifecycle;

/**
 * {@link SmartLifecycle} that shuts the endpoints down gracefully before anything else stops: servers
 * stop accepting and close their connections, flushing them, for up to
 * {@code spring.lifecycle.timeout-per-shutdown-phase}. Runs in the phase of Spring Boot's
 * {@code WebServerGracefulShutdownLifecycle}.
 */
final class ProtocolEndpointsGracefulShutdownLifecycle implements SmartLifecycle {

    /**
     * The phase of the graceful shutdown: Spring Boot's
     * {@code WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE}.
     */
    static final int GRACEFUL_SHUTDOWN_PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private final ProtocolEndpointManager manager;

    private volatile boolean running;

    ProtocolEndpointsGracefulShutdownLifecycle(ProtocolEndpointManager manager) {
        this.manager = manager;
    }

    @Override
    public void start() {
        this.running = true;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("Stop must not be invoked directly");
    }

    @Override
    public void stop(Runnable callback) {
        this.running = false;
        this.manager.shutDownGracefully(callback);
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return GRACEFUL_SHUTDOWN_PHASE;
    }

    @Override
    public boolean isPauseable() {
        return false;
    }

}
