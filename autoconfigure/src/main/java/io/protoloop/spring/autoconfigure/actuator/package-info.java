/**
 * Auto-configuration of protoloop's Actuator integration: Micrometer meters, the {@code protoloop}
 * health indicator (and its place in the readiness group) and the {@code transports} endpoint, each
 * applied only when its Spring Boot module is on the classpath.
 */
@NullMarked
package io.protoloop.spring.autoconfigure.actuator;

import org.jspecify.annotations.NullMarked;
