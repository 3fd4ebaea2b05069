package io.protoloop.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;

/**
 * Turns a protocol class into an endpoint the application runs on its {@link io.protoloop.EventLoop}:
 * a TCP, UDP or Unix socket server, or a supervised subprocess. The Spring counterpart of handing a
 * protocol factory to asyncio's {@code loop.create_server()}, {@code create_datagram_endpoint()},
 * {@code create_unix_server()} or {@code subprocess_exec()}.
 *
 * <pre>{@code
 * @ProtocolEndpoint(name = "echo", host = "127.0.0.1", port = "${echo.port:8888}")
 * public class EchoProtocol implements Protocol { ... }
 * }</pre>
 *
 * <p>The class is a {@link Component @Component} in <em>prototype</em> scope: every TCP or Unix
 * connection, every UDP endpoint and every started process gets its own instance, with its
 * dependencies injected. String attributes take {@code ${...}} placeholders. Properties under
 * {@code protoloop.endpoints.<name>.*} override the attributes ({@code host}, {@code port},
 * {@code path}, {@code command}, {@code shell}, {@code ssl.bundle}, {@code restart.policy}) and add
 * what has no attribute ({@code enabled}, {@code backlog}, {@code write-buffer.high}/{@code low},
 * {@code ssl.client-auth}, restart back-off, {@code stop-timeout}).
 *
 * <p>Endpoints bind while the application context starts, before the application reports ready; the
 * bound port is published as {@code local.protoloop.<name>.port}. A port in use, an unknown SSL
 * bundle, a protocol of the wrong type for the transport or a missing command fails startup with a
 * description naming the endpoint and the property to fix.
 *
 * @see EndpointDefinition for endpoints defined in code
 * @see EndpointRegistry for the running endpoints
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
public @interface ProtocolEndpoint {

    /**
     * Name of the endpoint, unique in the application; it keys the
     * {@code protoloop.endpoints.<name>.*} properties. Defaults to the bean name.
     */
    String name() default "";

    /**
     * What the endpoint serves; decides the protocol type the class must implement.
     */
    TransportKind transport() default TransportKind.TCP;

    /**
     * Host or address to bind (TCP, UDP). Empty binds every interface, as asyncio's {@code host=None}.
     */
    String host() default "";

    /**
     * Port to bind (TCP, UDP), a number or a placeholder; {@code 0} picks a free port.
     */
    String port() default "0";

    /**
     * Socket file path (UNIX).
     */
    String path() default "";

    /**
     * Program and arguments, run without a shell (SUBPROCESS), asyncio's {@code subprocess_exec}.
     */
    String[] command() default {};

    /**
     * Command line run by {@code /bin/sh -c} (SUBPROCESS), asyncio's {@code subprocess_shell}.
     */
    String shell() default "";

    /**
     * Name of the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) to serve TLS with (TCP, UNIX);
     * empty for plain text. The bundle's key store is the server's certificate and key, its trust
     * store verifies client certificates ({@code protoloop.endpoints.<name>.ssl.client-auth}), its
     * options restrict protocols and ciphers.
     */
    String ssl() default "";

    /**
     * When a SUBPROCESS endpoint's process is started again after it exits.
     */
    RestartPolicy restart() default RestartPolicy.NEVER;

}
