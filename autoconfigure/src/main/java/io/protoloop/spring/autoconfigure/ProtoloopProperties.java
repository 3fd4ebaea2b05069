package io.protoloop.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.protoloop.ClientAuth;
import io.protoloop.LoopTransport;
import io.protoloop.spring.RestartPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for protoloop: the event loop ({@code protoloop.loop.*}) and per-endpoint
 * settings ({@code protoloop.endpoints.<name>.*}) that override {@code @ProtocolEndpoint} attributes.
 */
@ConfigurationProperties("protoloop")
public class ProtoloopProperties {

    private final Loop loop = new Loop();

    /**
     * Per-endpoint settings, keyed by endpoint name; they override the attributes of the
     * ProtocolEndpoint annotation and of EndpointDefinition beans.
     */
    private Map<String, Endpoint> endpoints = new LinkedHashMap<>();

    public Loop getLoop() {
        return this.loop;
    }

    public Map<String, Endpoint> getEndpoints() {
        return this.endpoints;
    }

    public void setEndpoints(Map<String, Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    /**
     * The application's event loop.
     */
    public static class Loop {

        /**
         * Number of loop threads; 1 gives asyncio's single-thread semantics across connections.
         * Defaults to the number of available processors.
         */
        private @Nullable Integer threads;

        /**
         * I/O engine under the loop.
         */
        private LoopTransport transport = LoopTransport.AUTO;

        /**
         * Whether to run in asyncio's debug mode, reporting callbacks slower than
         * slow-callback-duration.
         */
        private boolean debug;

        /**
         * Callback duration over which debug mode reports a slow callback.
         */
        private Duration slowCallbackDuration = Duration.ofMillis(100);

        /**
         * Prefix of the loop thread names.
         */
        private String threadNamePrefix = "protoloop";

        public @Nullable Integer getThreads() {
            return this.threads;
        }

        public void setThreads(@Nullable Integer threads) {
            this.threads = threads;
        }

        public LoopTransport getTransport() {
            return this.transport;
        }

        public void setTransport(LoopTransport transport) {
            this.transport = transport;
        }

        public boolean isDebug() {
            return this.debug;
        }

        public void setDebug(boolean debug) {
            this.debug = debug;
        }

        public Duration getSlowCallbackDuration() {
            return this.slowCallbackDuration;
        }

        public void setSlowCallbackDuration(Duration slowCallbackDuration) {
            this.slowCallbackDuration = slowCallbackDuration;
        }

        public String getThreadNamePrefix() {
            return this.threadNamePrefix;
        }

        public void setThreadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
        }

    }

    /**
     * Settings of one endpoint. Unset values fall back to the annotation attributes or the endpoint
     * definition.
     */
    public static class Endpoint {

        /**
         * Whether to run the endpoint. When false nothing binds and no protocol bean is created.
         */
        private boolean enabled = true;

        /**
         * Host or address to bind (TCP, UDP); overrides the host attribute. Empty binds every
         * interface.
         */
        private @Nullable String host;

        /**
         * Port to bind (TCP, UDP); overrides the port attribute. 0 picks a free port.
         */
        private @Nullable Integer port;

        /**
         * Socket file path (UNIX); overrides the path attribute.
         */
        private @Nullable String path;

        /**
         * Listen backlog (TCP, UNIX).
         */
        private int backlog = 100;

        /**
         * Whether to set SO_REUSEPORT, letting several sockets bind the same port (TCP, UDP).
         */
        private boolean reusePort;

        /**
         * Whether to set SO_KEEPALIVE on accepted connections (TCP).
         */
        private boolean keepAlive;

        /**
         * Program and arguments, run without a shell (SUBPROCESS); overrides the command and shell
         * attributes.
         */
        private @Nullable List<String> command;

        /**
         * Command line run by /bin/sh -c (SUBPROCESS); overrides the command and shell attributes.
         */
        private @Nullable String shell;

        /**
         * Time a SUBPROCESS endpoint's process, and every process it started, get to exit after
         * SIGTERM at shutdown before those left are killed with SIGKILL.
         */
        private Duration stopTimeout = Duration.ofSeconds(10);

        private final WriteBuffer writeBuffer = new WriteBuffer();

        private final Ssl ssl = new Ssl();

        private final Restart restart = new Restart();

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable String getHost() {
            return this.host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable Integer getPort() {
            return this.port;
        }

        public void setPort(@Nullable Integer port) {
            this.port = port;
        }

        public @Nullable String getPath() {
            return this.path;
        }

        public void setPath(@Nullable String path) {
            this.path = path;
        }

        public int getBacklog() {
            return this.backlog;
        }

        public void setBacklog(int backlog) {
            this.backlog = backlog;
        }

        public boolean isReusePort() {
            return this.reusePort;
        }

        public void setReusePort(boolean reusePort) {
            this.reusePort = reusePort;
        }

        public boolean isKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
        }

        public @Nullable List<String> getCommand() {
            return this.command;
        }

        public void setCommand(@Nullable List<String> command) {
            this.command = (command != null) ? new ArrayList<>(command) : null;
        }

        public @Nullable String getShell() {
            return this.shell;
        }

        public void setShell(@Nullable String shell) {
            this.shell = shell;
        }

        public Duration getStopTimeout() {
            return this.stopTimeout;
        }

        public void setStopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
        }

        public WriteBuffer getWriteBuffer() {
            return this.writeBuffer;
        }

        public Ssl getSsl() {
            return this.ssl;
        }

        public Restart getRestart() {
            return this.restart;
        }

    }

    /**
     * Write-buffer water marks of the endpoint's transports, asyncio's
     * {@code set_write_buffer_limits(high, low)}: unset values follow asyncio's rules (64KB and 16KB;
     * only high given, low is high / 4; only low given, high is 4 * low).
     */
    public static class WriteBuffer {

        /**
         * High-water mark: the protocol's pauseWriting() is called when the buffer goes over it.
         * Defaults to 64KB, or 4 * low when only low is set.
         */
        private @Nullable DataSize high;

        /**
         * Low-water mark: the protocol's resumeWriting() is called when the buffer drains to it.
         * Defaults to high / 4.
         */
        private @Nullable DataSize low;

        public @Nullable DataSize getHigh() {
            return this.high;
        }

        public void setHigh(@Nullable DataSize high) {
            this.high = high;
        }

        public @Nullable DataSize getLow() {
            return this.low;
        }

        public void setLow(@Nullable DataSize low) {
            this.low = low;
        }

    }

    /**
     * TLS of a TCP or UNIX endpoint.
     */
    public static class Ssl {

        /**
         * Name of the SSL bundle (spring.ssl.bundle.*) to serve TLS with; overrides the ssl
         * attribute.
         */
        private @Nullable String bundle;

        /**
         * Whether TLS clients must present a certificate, verified against the bundle's trust
         * store (Python's verify_mode on a server context). Needs an SSL bundle; optional and
         * require need a trust store in it.
         */
        private ClientAuth clientAuth = ClientAuth.NONE;

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

        public ClientAuth getClientAuth() {
            return this.clientAuth;
        }

        public void setClientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
        }

    }

    /**
     * Supervision of a SUBPROCESS endpoint's process.
     */
    public static class Restart {

        /**
         * When the process is started again after it exits; overrides the restart attribute.
         */
        private @Nullable RestartPolicy policy;

        /**
         * Maximum number of restarts; once reached, the endpoint stays down. A negative value
         * means no limit.
         */
        private int maxRestarts = 5;

        /**
         * Delay before the first restart; it doubles with each restart up to max-backoff.
         */
        private Duration backoff = Duration.ofSeconds(1);

        /**
         * Longest delay between two restarts.
         */
        private Duration maxBackoff = Duration.ofSeconds(30);

        public @Nullable RestartPolicy getPolicy() {
            return this.policy;
        }

        public void setPolicy(@Nullable RestartPolicy policy) {
            this.policy = policy;
        }

        public int getMaxRestarts() {
            return this.maxRestarts;
        }

        public void setMaxRestarts(int maxRestarts) {
            this.maxRestarts = maxRestarts;
        }

        public Duration getBackoff() {
            return this.backoff;
        }

        public void setBackoff(Duration backoff) {
            this.backoff = backoff;
        }

        public Duration getMaxBackoff() {
            return this.maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

    }

}
