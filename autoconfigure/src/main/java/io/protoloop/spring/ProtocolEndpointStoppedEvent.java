package io.protoloop.spring;

/**
 * Published once an endpoint has stopped for good with the application (its server closed, its
 * process gone), or was rolled back because another endpoint failed to start.
 */
public class ProtocolEndpointStoppedEvent extends ProtocolEndpointEvent {

    /**
     * Creates an event.
     * @param registry the registry that ran the endpoint
     * @param endpoint the endpoint that stopped
     */
    public ProtocolEndpointStoppedEvent(EndpointRegistry registry, ManagedEndpoint endpoint) {
        super(registry, endpoint);
    }

}
