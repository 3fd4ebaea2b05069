/**
 * protoloop for Spring Boot applications: {@link io.protoloop.spring.ProtocolEndpoint @ProtocolEndpoint}
 * turns a protocol class into a server (TCP, UDP, Unix socket) or a supervised subprocess on the
 * application's {@link io.protoloop.EventLoop}, {@link io.protoloop.spring.EndpointDefinition} does the
 * same from code, and {@link io.protoloop.spring.EndpointRegistry} reports what runs.
 *
 * <p>The auto-configuration lives in {@code io.protoloop.spring.autoconfigure}; properties are under
 * {@code protoloop.*}.
 */
@NullMarked
package io.protoloop.spring;

import org.jspecify.annotations.NullMarked;
