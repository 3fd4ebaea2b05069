package io.protoloop.spring.autoconfigure;

import io.protoloop.spring.InvalidEndpointException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Describes an {@link InvalidEndpointException}: a misconfigured endpoint, with the endpoint and the
 * property (or annotation attribute) to fix.
 */
class InvalidEndpointFailureAnalyzer extends AbstractFailureAnalyzer<InvalidEndpointException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidEndpointException cause) {
        return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
    }

}
