package io.protoloop.spring.autoconfigure;

import java.util.concurrent.CountDownLatch;

import org.springframework.context.SmartLifecycle;

/**
 * {@link SmartLifecycle} that starts the endpoints with the application context (before it reports
 * ready) and stops them for good: aborts what the graceful shutdown left, stops subprocesses. Runs in
 * the phase of Spring Boot's web server start/stop lifecycle.
 */
final class ProtocolEndpointsLifecycle implements SmartLifecycle {

    /**
     * The phase endpoints start and stop in: Spring Boot's
     * {@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE}.
     */
    static final int START_STOP_LIFECYCLE_PHASE = ProtocolEndpointsGracefulShutdownLifecycle.GRACEFUL_SHUTDOWN_PHASE
            - 1024;

    private final ProtocolEndpointManager manager;

    ProtocolEndpointsLifecycle(ProtocolEndpointManager manager) {
        this.manager = manager;
    }

    @Override
    public void start() {
        this.manager.start();
    }

    @Override
    public void stop() {
        CountDownLatch stopped = new CountDownLatch(1);
        this.manager.stop(stopped::countDown);
        try {
            stopped.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop(Runnable callback) {
        this.manager.stop(callback);
    }

    @Override
    public boolean isRunning() {
        return this.manager.isRunning();
    }

    @Override
    public int getPhase() {
        return START_STOP_LIFECYCLE_PHASE;
    }

    @Override
    public boolean isPauseable() {
        return false;
    }

}
