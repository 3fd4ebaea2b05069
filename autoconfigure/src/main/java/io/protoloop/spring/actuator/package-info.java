/**
 * Monitoring of protoloop endpoints and loops with Spring Boot's Actuator: the Micrometer meters
 * ({@link io.protoloop.spring.actuator.ProtoloopMetrics}, named in
 * {@link io.protoloop.spring.actuator.ProtoloopMeters}), the {@code protoloop} health indicator
 * ({@link io.protoloop.spring.actuator.ProtoloopHealthIndicator}), the {@code /actuator/transports}
 * endpoint ({@link io.protoloop.spring.actuator.TransportsEndpoint}) and the loop-lag probe they share
 * ({@link io.protoloop.spring.actuator.LoopLagMonitor}).
 *
 * <p>Each piece needs its optional dependency (Micrometer, {@code spring-boot-health},
 * {@code spring-boot-actuator}); the auto-configurations in
 * {@code io.protoloop.spring.autoconfigure.actuator} apply them when present.
 */
@NullMarked
package io.protoloop.spring.actuator;

import org.jspecify.annotations.NullMarked;
