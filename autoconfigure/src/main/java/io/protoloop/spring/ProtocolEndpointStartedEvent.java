package io.protoloop.spring;

/**
 * Published once an endpoint is bound (TCP, UDP, UNIX) or its first process runs (SUBPROCESS), before
 * the application reports ready; {@code local.protoloop.<name>.port} is set by then.
 */
public class ProtocolEndpointStartedEvent extends ProtocolEndpointEvent {

    /**
     * Creates an event.
     * @param registry the registry that runs the endpoint
     * @param endpoint the endpoint that started
     */
    public ProtocolEndpointStartedEvent(EndpointRegistry registry, ManagedEndpoint endpoint) {
        super(registry, endpoint);
    }

}
