package io.protoloop.spring;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The endpoints the application runs, by name: what each one serves, where it is bound, its live
 * transports and, for subprocesses, pid, restarts and last exit code. asyncio has no counterpart; it
 * is what {@code Server.sockets} and the transports' extra info are to one server, for the whole
 * application. The auto-configuration provides the bean; monitoring (Actuator) reads it.
 *
 * <p>Disabled endpoints ({@code protoloop.endpoints.<name>.enabled=false}) are not listed.
 */
public interface EndpointRegistry {

    /**
     * The enabled endpoints, in start order.
     * @return the endpoints
     */
    List<ManagedEndpoint> getEndpoints();

    /**
     * The endpoint named {@code name}.
     * @param name the endpoint name
     * @return the endpoint, or {@code null} when none has that name
     */
    @Nullable ManagedEndpoint getEndpoint(String name);

}
