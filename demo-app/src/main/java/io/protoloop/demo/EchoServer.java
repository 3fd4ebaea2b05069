package io.protoloop.demo;

import io.protoloop.EventLoop;
import io.protoloop.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The echo endpoint: listens on {@code protoloop.endpoints.echo.host} (default 127.0.0.1) and
 * {@code protoloop.endpoints.echo.port} (default 8888; 0 picks a free port) from startup until
 * shutdown. The bound port is available from {@link #port()} and as the property
 * {@code local.protoloop.echo.port}.
 *
 * <p>Shutdown is asyncio's graceful sequence: stop listening, close every connection (each flushes
 * first), wait up to {@code protoloop.endpoints.echo.stop-timeout} (default 5 s) for them to go,
 * then abort whatever remains.
 */
@Component
public class EchoServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EchoServer.class);

    private final EventLoop loop;
    private final ConfigurableEnvironment environment;
    private final String host;
    private final int port;
    private final Duration stopTimeout;
    private volatile Server server;

    public EchoServer(EventLoop loop, ConfigurableEnvironment environment,
                      @Value("${protoloop.endpoints.echo.host:127.0.0.1}") String host,
                      @Value("${protoloop.endpoints.echo.port:8888}") int port,
                      @Value("${protoloop.endpoints.echo.stop-timeout:5s}") Duration stopTimeout) {
        this.loop = loop;
        this.environment = environment;
        this.host = host;
        this.port = port;
        this.stopTimeout = stopTimeout;
    }

    @Override
    public void start() {
        Server started;
        try {
            started = loop.createServer(EchoProtocol::new, host, port).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the echo server", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot bind the echo server to " + host + ":" + port + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("binding the echo server to " + host + ":" + port + " timed out", e);
        }
        server = started;
        environment.getPropertySources().addFirst(
                new MapPropertySource("protoloop.local", Map.of("local.protoloop.echo.port", port())));
        log.info("protoloop echo server listening on {}", started.sockets());
    }

    @Override
    public void stop() {
        Server current = server;
        if (current == null) {
            return;
        }
        server = null;
        current.close();
        current.closeClients();
        try {
            current.waitClosed().get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("echo connections still open after {}, aborting them", stopTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("echo server did not close cleanly", e.getCause());
        } finally {
            current.abortClients();
        }
        log.info("protoloop echo server stopped");
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** The bound addresses, empty when not running. */
    public List<SocketAddress> addresses() {
        Server current = server;
        return current == null ? List.of() : current.sockets();
    }

    /** The bound port (the real one when configured as 0); -1 when not running. */
    public int port() {
        return addresses().stream()
                .filter(InetSocketAddress.class::isInstance)
                .mapToInt(a -> ((InetSocketAddress) a).getPort())
                .findFirst().orElse(-1);
    }
}
