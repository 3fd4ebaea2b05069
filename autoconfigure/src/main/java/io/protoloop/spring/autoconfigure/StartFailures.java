package io.protoloop.spring.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.protoloop.spring.EndpointBindException;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.TransportKind;
import org.jspecify.annotations.Nullable;

/**
 * Turns what the loop reports when an endpoint cannot start into the exceptions the failure analyzers
 * describe: {@link EndpointBindException} for an address that cannot be bound,
 * {@link InvalidEndpointException} for a host that does not resolve.
 */
final class StartFailures {

    private StartFailures() {
    }

    static RuntimeException translate(EndpointSpec spec, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof EndpointBindException || cause instanceof InvalidEndpointException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof UnknownHostException) {
            return new InvalidEndpointException(spec.name(), spec.property("host"),
                    "Protoloop endpoint " + spec.describe() + " cannot bind host '" + spec.host()
                            + "': the name does not resolve.",
                    "Set '" + spec.property("host") + "' to a resolvable host name or an address of this machine "
                            + "(empty binds every interface).",
                    cause);
        }
        if (cause instanceof IOException) {
            return new EndpointBindException(spec.name(), spec.kind(), address(spec), property(spec, cause), cause);
        }
        return new IllegalStateException("Protoloop endpoint " + spec.describe() + " failed to start", cause);
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static @Nullable SocketAddress address(EndpointSpec spec) {
        return switch (spec.kind()) {
            case UNIX -> (spec.path() != null) ? UnixDomainSocketAddress.of(spec.path()) : null;
            case TCP, UDP -> (spec.host() != null) ? InetSocketAddress.createUnresolved(spec.host(), spec.port())
                    : new InetSocketAddress(spec.port());
            case SUBPROCESS -> null;
        };
    }

    private static String property(EndpointSpec spec, Throwable cause) {
        if (spec.kind() == TransportKind.UNIX) {
            return spec.property("path");
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        boolean hostProblem = message.contains("assign requested address") || message.contains("not available");
        return spec.property(hostProblem ? "host" : "port");
    }

}
