package io.protoloop.spring;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.Transport;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint defined in code rather than with {@link ProtocolEndpoint @ProtocolEndpoint}: declare
 * it as a bean and the application runs it exactly like an annotated one.
 *
 * <pre>{@code
 * @Bean
 * EndpointDefinition timeEndpoint(Clock clock) {
 *     return EndpointDefinition.tcp("time", () -> new TimeProtocol(clock)).port(3700).build();
 * }
 * }</pre>
 *
 * <p>The factory is called once per TCP or Unix connection, once per UDP endpoint and once per
 * process start, like the protocol factory asyncio's {@code loop.create_server()} and friends take.
 * Properties under {@code protoloop.endpoints.<name>.*} override what the definition says, as they
 * override annotation attributes.
 */
public final class EndpointDefinition {

    private final String name;

    private final TransportKind kind;

    private final Supplier<? extends BaseProtocol<?>> factory;

    private final @Nullable String host;

    private final int port;

    private final @Nullable String path;

    private final List<String> command;

    private final @Nullable String shell;

    private final @Nullable String ssl;

    private final RestartPolicy restart;

    private EndpointDefinition(Builder builder) {
        this.name = builder.name;
        this.kind = builder.kind;
        this.factory = builder.factory;
        this.host = builder.host;
        this.port = builder.port;
        this.path = builder.path;
        this.command = builder.command;
        this.shell = builder.shell;
        this.ssl = builder.ssl;
        this.restart = builder.restart;
    }

    /**
     * Starts a TCP server definition, asyncio's {@code loop.create_server(factory, host, port)}.
     * @param name the endpoint name
     * @param factory makes one protocol per accepted connection
     * @return a builder
     */
    public static Builder tcp(String name, Supplier<? extends BaseProtocol<Transport>> factory) {
        return new Builder(name, TransportKind.TCP, factory);
    }

    /**
     * Starts a UDP endpoint definition, asyncio's {@code loop.create_datagram_endpoint(factory,
     * local_addr=(host, port))}.
     * @param name the endpoint name
     * @param factory makes the endpoint's one protocol
     * @return a builder
     */
    public static Builder udp(String name, Supplier<? extends DatagramProtocol> factory) {
        return new Builder(name, TransportKind.UDP, factory);
    }

    /**
     * Starts a Unix domain socket server definition, asyncio's
     * {@code loop.create_unix_server(factory, path)}.
     * @param name the endpoint name
     * @param factory makes one protocol per accepted connection
     * @return a builder
     */
    public static Builder unix(String name, Supplier<? extends BaseProtocol<Transport>> factory) {
        return new Builder(name, TransportKind.UNIX, factory);
    }

    /**
     * Starts a supervised subprocess definition, asyncio's {@code loop.subprocess_exec(factory,
     * *command)} (or {@code subprocess_shell} with {@link Builder#shell}), restarted as
     * {@link Builder#restart} says.
     * @param name the endpoint name
     * @param factory makes one protocol per process start
     * @return a builder
     */
    public static Builder subprocess(String name, Supplier<? extends SubprocessProtocol> factory) {
        return new Builder(name, TransportKind.SUBPROCESS, factory);
    }

    /** The endpoint name. */
    public String getName() {
        return this.name;
    }

    /** What the endpoint serves. */
    public TransportKind getKind() {
        return this.kind;
    }

    /** Makes the protocols. */
    public Supplier<? extends BaseProtocol<?>> getFactory() {
        return this.factory;
    }

    /** The host to bind, {@code null} for every interface. */
    public @Nullable String getHost() {
        return this.host;
    }

    /** The port to bind, 0 for a free one. */
    public int getPort() {
        return this.port;
    }

    /** The socket file of a UNIX endpoint. */
    public @Nullable String getPath() {
        return this.path;
    }

    /** The program and arguments of a SUBPROCESS endpoint, empty when it runs a shell command. */
    public List<String> getCommand() {
        return this.command;
    }

    /** The shell command line of a SUBPROCESS endpoint. */
    public @Nullable String getShell() {
        return this.shell;
    }

    /** The SSL bundle to serve TLS with, {@code null} for plain text. */
    public @Nullable String getSsl() {
        return this.ssl;
    }

    /** The restart policy of a SUBPROCESS endpoint. */
    public RestartPolicy getRestart() {
        return this.restart;
    }

    @Override
    public String toString() {
        return "EndpointDefinition[" + this.name + ", " + this.kind + "]";
    }

    /**
     * Builds an {@link EndpointDefinition}; start from {@link EndpointDefinition#tcp},
     * {@link EndpointDefinition#udp}, {@link EndpointDefinition#unix} or
     * {@link EndpointDefinition#subprocess}.
     */
    public static final class Builder {

        private final String name;

        private final TransportKind kind;

        private final Supplier<? extends BaseProtocol<?>> factory;

        private @Nullable String host;

        private int port;

        private @Nullable String path;

        private List<String> command = List.of();

        private @Nullable String shell;

        private @Nullable String ssl;

        private RestartPolicy restart = RestartPolicy.NEVER;

        Builder(String name, TransportKind kind, Supplier<? extends BaseProtocol<?>> factory) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("endpoint name must not be blank");
            }
            this.name = name;
            this.kind = Objects.requireNonNull(kind, "kind");
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        /** The host or address to bind; {@code null} binds every interface. */
        public Builder host(@Nullable String host) {
            this.host = host;
            return this;
        }

        /** The port to bind; 0 picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** The socket file of a UNIX endpoint. */
        public Builder path(@Nullable String path) {
            this.path = path;
            return this;
        }

        /** The program and its arguments, run without a shell. */
        public Builder command(String... command) {
            return command(List.of(command));
        }

        /** The program and its arguments, run without a shell. */
        public Builder command(List<String> command) {
            this.command = List.copyOf(command);
            return this;
        }

        /** A command line run by {@code /bin/sh -c}. */
        public Builder shell(@Nullable String shell) {
            this.shell = shell;
            return this;
        }

        /** The Spring Boot SSL bundle to serve TLS with. */
        public Builder ssl(@Nullable String bundle) {
            this.ssl = bundle;
            return this;
        }

        /** When a SUBPROCESS endpoint's process is started again. */
        public Builder restart(RestartPolicy restart) {
            this.restart = Objects.requireNonNull(restart, "restart");
            return this;
        }

        /** Builds the definition. */
        public EndpointDefinition build() {
            return new EndpointDefinition(this);
        }

    }

}
