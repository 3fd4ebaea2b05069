package io.protoloop.spring;

import org.springframework.context.ApplicationEvent;

/**
 * Published by the {@link EndpointRegistry} when one of its endpoints starts or stops; the Micrometer
 * integration registers an endpoint's meters on {@link ProtocolEndpointStartedEvent} and removes them
 * on {@link ProtocolEndpointStoppedEvent}.
 */
public abstract class ProtocolEndpointEvent extends ApplicationEvent {

    private final ManagedEndpoint endpoint;

    /**
     * Creates an event.
     * @param registry the registry that runs the endpoint (the event source)
     * @param endpoint the endpoint
     */
    protected ProtocolEndpointEvent(EndpointRegistry registry, ManagedEndpoint endpoint) {
        super(registry);
        this.endpoint = endpoint;
    }

    /**
     * The registry that runs the endpoint.
     * @return the registry
     */
    public EndpointRegistry getRegistry() {
        return (EndpointRegistry) getSource();
    }

    /**
     * The endpoint that started or stopped.
     * @return the endpoint
     */
    public ManagedEndpoint getEndpoint() {
        return this.endpoint;
    }

}
