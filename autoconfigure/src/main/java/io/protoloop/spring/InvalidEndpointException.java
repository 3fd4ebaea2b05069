package io.protoloop.spring;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at startup when an endpoint is misconfigured: an unknown SSL bundle, a protocol class of the
 * wrong type for its transport, a missing command or path, a duplicate name. It names the endpoint
 * and the property (or annotation attribute) to fix; a failure analyzer turns it into Spring Boot's
 * "APPLICATION FAILED TO START" report.
 */
public class InvalidEndpointException extends RuntimeException {

    private final String endpoint;

    private final String property;

    private final String action;

    /**
     * Creates a new instance.
     * @param endpoint the endpoint name
     * @param property the property to fix, e.g. {@code protoloop.endpoints.echo.ssl.bundle}
     * @param description what is wrong
     * @param action how to fix it
     */
    public InvalidEndpointException(String endpoint, String property, String description, String action) {
        this(endpoint, property, description, action, null);
    }

    /**
     * Creates a new instance with a cause.
     * @param endpoint the endpoint name
     * @param property the property to fix
     * @param description what is wrong
     * @param action how to fix it
     * @param cause the underlying failure, or {@code null}
     */
    public InvalidEndpointException(String endpoint, String property, String description, String action,
            @Nullable Throwable cause) {
        super(description, cause);
        this.endpoint = endpoint;
        this.property = property;
        this.action = action;
    }

    /** The endpoint name. */
    public String getEndpoint() {
        return this.endpoint;
    }

    /** The property to fix. */
    public String getProperty() {
        return this.property;
    }

    /** What is wrong. */
    public String getDescription() {
        return getMessage();
    }

    /** How to fix it. */
    public String getAction() {
        return this.action;
    }

}
