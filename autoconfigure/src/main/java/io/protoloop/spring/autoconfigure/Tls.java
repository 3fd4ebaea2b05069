package io.protoloop.spring.autoconfigure;

import io.protoloop.ServerOptions;

/**
 * Serves TLS from Spring Boot SSL bundles. protoloop-core's server TLS ({@code ServerOptions.ssl})
 * is not available yet: the bundle is looked up and validated, and an endpoint that asks for TLS
 * fails startup rather than serving plain text.
 */
final class Tls {

    /** Whether protoloop-core can serve TLS. */
    static final boolean AVAILABLE = false;

    private Tls() {
    }

    static void configure(ServerOptions.Builder builder, EndpointSpec spec) {
        if (spec.sslBundle() != null) {
            throw new IllegalStateException("Protoloop endpoint " + spec.describe()
                    + " asks for TLS, which this protoloop-core cannot serve yet");
        }
    }

}
