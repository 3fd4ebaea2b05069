package io.protoloop.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.protoloop.ClientAuth;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.WriteBufferLimits;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;

/**
 * One endpoint with every setting resolved: annotation attributes or definition, placeholders,
 * then {@code protoloop.endpoints.<name>.*} overrides, all validated.
 *
 * @param name the endpoint name
 * @param kind what it serves
 * @param origin where it was declared, for messages ({@code @ProtocolEndpoint on com.example.Echo})
 * @param propertyPrefix {@code protoloop.endpoints.<key>}, with the key the user wrote when there is one
 * @param factory makes the protocols
 * @param host the host to bind, {@code null} for every interface
 * @param port the port to bind
 * @param path the Unix socket path
 * @param command program and arguments (SUBPROCESS), empty when {@code shell} is used
 * @param shell shell command line (SUBPROCESS)
 * @param sslBundleName the SSL bundle name, {@code null} for plain text
 * @param sslBundle the SSL bundle
 * @param clientAuth whether TLS clients must present a certificate
 * @param backlog the listen backlog
 * @param reusePort SO_REUSEPORT
 * @param keepAlive SO_KEEPALIVE
 * @param writeBufferLimits the transports' water marks
 * @param restart the restart policy
 * @param maxRestarts the restart bound, negative for none
 * @param backoff the first restart delay
 * @param maxBackoff the longest restart delay
 * @param stopTimeout SIGTERM to SIGKILL grace at shutdown
 */
record EndpointSpec(String name, TransportKind kind, String origin, String propertyPrefix,
        Supplier<? extends BaseProtocol<?>> factory, @Nullable String host, int port, @Nullable String path,
        List<String> command, @Nullable String shell, @Nullable String sslBundleName, @Nullable SslBundle sslBundle,
        ClientAuth clientAuth, int backlog, boolean reusePort, boolean keepAlive, WriteBufferLimits writeBufferLimits,
        RestartPolicy restart, int maxRestarts, Duration backoff, Duration maxBackoff, Duration stopTimeout) {

    /** The full name of one of this endpoint's properties, e.g. {@code property("port")}. */
    String property(String suffix) {
        return this.propertyPrefix + "." + suffix;
    }

    /** How messages refer to the endpoint: {@code 'echo' (TCP)}. */
    String describe() {
        return "'" + this.name + "' (" + this.kind + ")";
    }

}
