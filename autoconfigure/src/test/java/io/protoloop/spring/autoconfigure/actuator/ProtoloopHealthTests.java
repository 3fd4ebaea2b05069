package io.protoloop.spring.autoconfigure.actuator;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.protoloop.EventLoop;
import io.protoloop.spring.actuator.ProtoloopHealthIndicator;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Echo;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.port;
import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The {@code protoloop} health component through a running context: a blocked loop, a failed bind,
 * the readiness group.
 */
class ProtoloopHealthTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner contextRunner = ActuatorTestSupport.contextRunner()
        .withPropertyValues("protoloop.metrics.loop-lag.interval=20ms", "protoloop.health.lag-threshold=2s",
                "management.endpoint.health.probes.enabled=true");

    @Test
    void upWithTheLoopsAndEndpointsInTheDetails() {
        this.contextRunner.withUserConfiguration(Echo.class).run((context) -> {
            Health health = context.getBean(ProtoloopHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("lagThresholdMillis", 2000L);
            assertThat((List<?>) health.getDetails().get("loops")).hasSize(2)
                .allSatisfy((loop) -> assertThat(map(loop)).containsEntry("status", "UP")
                    .containsKeys("lagMillis", "pendingTasks"));
            Map<String, Object> echo = map(map(health.getDetails().get("endpoints")).get("echo"));
            assertThat(echo).containsEntry("status", "UP")
                .containsEntry("kind", "TCP")
                .containsEntry("state", "RUNNING")
                .containsEntry("addresses", List.of("127.0.0.1:" + port(context, "echo")))
                .containsEntry("transports", 0L);
            HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
            assertThat(component(endpoint.healthForPath("protoloop"))).isEqualTo(Status.UP);
        });
    }

    @Test
    void downWhileALoopIsBlockedAndUpAgainAfter() {
        this.contextRunner.withUserConfiguration(Echo.class).run((context) -> {
            ProtoloopHealthIndicator indicator = context.getBean(ProtoloopHealthIndicator.class);
            HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            // What SpringApplication does once the application runs; the readiness group starts from it.
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
            assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
            EventLoop blocked = context.getBean(EventLoop.class).members().get(1);
            CountDownLatch release = new CountDownLatch(1);
            blocked.callSoon(() -> {
                try {
                    release.await(20, TimeUnit.SECONDS);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.DOWN));
                Health health = indicator.health();
                List<?> loops = (List<?>) health.getDetails().get("loops");
                assertThat(map(loops.get(0))).containsEntry("status", "UP");
                assertThat(map(loops.get(1))).containsEntry("status", "DOWN");
                assertThat((String) map(loops.get(1)).get("reason")).startsWith("stuck");
                // The blocked loop shows in the lag gauge while it is blocked, and the instance is not ready.
                assertThat(ProtoloopMetricsTests.lagSeconds(registry, 1)).isGreaterThan(2.0);
                assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.DOWN);
            }
            finally {
                release.countDown();
            }
            await().atMost(WAIT).until(() -> indicator.health().getStatus().equals(Status.UP));
            assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void downWhenAnEndpointFailedToBind() throws Exception {
        int port = freePort();
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("protoloop.endpoints.echo.port=" + port)
            .run((context) -> {
                ProtoloopHealthIndicator indicator = context.getBean(ProtoloopHealthIndicator.class);
                context.stop();
                try (ServerSocket occupied = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
                    assertThat(occupied.isBound()).isTrue();
                    assertThatException().isThrownBy(context::start);
                    Health health = indicator.health();
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    Map<String, Object> echo = map(map(health.getDetails().get("endpoints")).get("echo"));
                    assertThat(echo).containsEntry("status", "DOWN").containsEntry("state", "STOPPED");
                    assertThat((String) echo.get("error")).contains("EndpointBindException");
                }
                context.start();
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                try (Socket socket = ActuatorTestSupport.connect(port)) {
                    assertThat(roundTrip(socket, "back")).isEqualTo("back");
                }
            });
    }

    @Test
    void protoloopIsPartOfTheReadinessGroup() {
        this.contextRunner.withUserConfiguration(Echo.class).run((context) -> {
            HealthDescriptor readiness = context.getBean(HealthEndpoint.class).healthForPath("readiness");
            assertThat(((CompositeHealthDescriptor) readiness).getComponents()).containsKeys("readinessState",
                    "protoloop");
        });
    }

    @Test
    void readinessGroupIsLeftAloneWhenTheApplicationSaysWhatItIncludes() {
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("management.endpoint.health.group.readiness.include=readinessState")
            .run((context) -> assertThat(readinessComponents(context.getBean(HealthEndpoint.class)))
                .containsOnlyKeys("readinessState"));
        this.contextRunner.withUserConfiguration(Echo.class)
            .withPropertyValues("protoloop.health.include-in-readiness=false")
            .run((context) -> assertThat(readinessComponents(context.getBean(HealthEndpoint.class)))
                .containsOnlyKeys("readinessState"));
    }

    private static Map<String, HealthDescriptor> readinessComponents(HealthEndpoint endpoint) {
        HealthDescriptor readiness = endpoint.healthForPath("readiness");
        return ((CompositeHealthDescriptor) readiness).getComponents();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object details) {
        return (Map<String, Object>) details;
    }

    private static Status component(HealthDescriptor descriptor) {
        return descriptor.getStatus();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

}
