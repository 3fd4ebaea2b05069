package io.protoloop.spring;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when an endpoint cannot bind its address, most often because another process
 * listens on the port; Spring Boot's {@code PortInUseException} for protoloop endpoints. A failure
 * analyzer reports it with the endpoint name and the property to change.
 */
public class EndpointBindException extends RuntimeException {

    private final String endpoint;

    private final TransportKind kind;

    private final @Nullable SocketAddress address;

    private final String property;

    /**
     * Creates a new instance.
     * @param endpoint the endpoint name
     * @param kind what the endpoint serves
     * @param address the address that could not be bound, when known
     * @param property the property that sets that address, e.g. {@code protoloop.endpoints.echo.port}
     * @param cause the bind failure
     */
    public EndpointBindException(String endpoint, TransportKind kind, @Nullable SocketAddress address,
            String property, Throwable cause) {
        super("Protoloop endpoint '" + endpoint + "' could not bind"
                + ((address != null) ? " " + describe(address) : "") + ": " + cause.getMessage(), cause);
        this.endpoint = endpoint;
        this.kind = kind;
        this.address = address;
        this.property = property;
    }

    /** The endpoint name. */
    public String getEndpoint() {
        return this.endpoint;
    }

    /** What the endpoint serves. */
    public TransportKind getKind() {
        return this.kind;
    }

    /** The address that could not be bound, when known. */
    public @Nullable SocketAddress getAddress() {
        return this.address;
    }

    /** The property that sets the address. */
    public String getProperty() {
        return this.property;
    }

    /** Whether the address was in use (rather than, say, not assignable or not permitted). */
    public boolean isAddressInUse() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("in use")) {
                return true;
            }
        }
        return false;
    }

    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }

}
