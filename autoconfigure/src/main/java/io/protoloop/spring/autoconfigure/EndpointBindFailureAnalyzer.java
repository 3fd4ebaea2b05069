package io.protoloop.spring.autoconfigure;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.protoloop.spring.EndpointBindException;
import io.protoloop.spring.TransportKind;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Describes an {@link EndpointBindException}, most often a port in use, naming the endpoint and the
 * property to change; Spring Boot's {@code PortInUseFailureAnalyzer} for protoloop endpoints.
 */
class EndpointBindFailureAnalyzer extends AbstractFailureAnalyzer<EndpointBindException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EndpointBindException cause) {
        String endpoint = "Protoloop endpoint '" + cause.getEndpoint() + "' (" + cause.getKind() + ")";
        SocketAddress address = cause.getAddress();
        String where = (address != null) ? describe(address) : "its address";
        String reason = String.valueOf(StartFailures.unwrap(cause.getCause()).getMessage());
        if (cause.isAddressInUse()) {
            if (cause.getKind() == TransportKind.UNIX) {
                return new FailureAnalysis(endpoint + " failed to start. Socket " + where + " was already in use.",
                        "Identify and stop the process that's listening on " + where + ", or set '"
                                + cause.getProperty() + "' to another path.",
                        cause);
            }
            String port = (address instanceof InetSocketAddress inet) ? Integer.toString(inet.getPort()) : where;
            return new FailureAnalysis(
                    endpoint + " failed to start. " + cause.getKind() + " port " + port + " (" + where
                            + ") was already in use.",
                    "Identify and stop the process that's listening on " + cause.getKind() + " port " + port
                            + ", or set '" + cause.getProperty() + "' to another port (0 picks a free one).",
                    cause);
        }
        return new FailureAnalysis(endpoint + " failed to start. It could not bind " + where + ": " + reason,
                "Check '" + cause.getProperty() + "': the address must exist on this machine and be free, and the "
                        + "application must be allowed to bind it.",
                cause);
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

}
