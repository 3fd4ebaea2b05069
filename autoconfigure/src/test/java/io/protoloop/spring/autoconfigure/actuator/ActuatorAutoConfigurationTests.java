package io.protoloop.spring.autoconfigure.actuator;

import java.net.Socket;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.protoloop.EventLoop;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.actuator.LoopLagMonitor;
import io.protoloop.spring.actuator.ProtoloopHealthIndicator;
import io.protoloop.spring.actuator.ProtoloopMetrics;
import io.protoloop.spring.actuator.TransportsEndpoint;
import io.protoloop.spring.autoconfigure.ProtoloopAutoConfiguration;
import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Echo;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.port;
import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Actuator auto-configurations: what they define, what they need on the classpath, and that
 * protoloop keeps working without any of it.
 */
class ActuatorAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = ActuatorTestSupport.contextRunner()
        .withUserConfiguration(Echo.class);

    @Test
    void definesMetricsHealthAndTheTransportsEndpoint() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(ProtoloopMetrics.class)
                .hasSingleBean(LoopLagMonitor.class)
                .hasSingleBean(ProtoloopHealthIndicator.class)
                .hasSingleBean(TransportsEndpoint.class)
                .hasBean(ProtoloopHealthContributorAutoConfiguration.HEALTH_INDICATOR_BEAN_NAME)
                .hasBean(ProtoloopMetricsAutoConfiguration.LOOP_LAG_MONITOR_BEAN_NAME);
            LoopLagMonitor monitor = context.getBean(LoopLagMonitor.class);
            assertThat(monitor.isRunning()).isTrue();
            assertThat(monitor.getInterval()).isEqualTo(Duration.ofMillis(100));
            assertThat(monitor.getMemberCount()).isEqualTo(2);
        });
    }

    @Test
    void protoloopWorksWithoutMicrometer() {
        this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer")).run((context) -> {
            assertThat(context).doesNotHaveBean(ProtoloopMetrics.class)
                .doesNotHaveBean(MeterRegistry.class)
                .hasSingleBean(ProtoloopHealthIndicator.class)
                .hasSingleBean(LoopLagMonitor.class)
                .hasSingleBean(TransportsEndpoint.class);
            assertEchoServes(context);
        });
    }

    @Test
    void protoloopWorksWithoutHealth() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run((context) -> {
            assertThat(context).doesNotHaveBean(ProtoloopHealthIndicator.class).hasSingleBean(ProtoloopMetrics.class);
            assertEchoServes(context);
        });
    }

    @Test
    void protoloopWorksWithoutTheActuator() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(Endpoint.class)).run((context) -> {
            assertThat(context).doesNotHaveBean(TransportsEndpoint.class);
            assertEchoServes(context);
        });
    }

    @Test
    void protoloopWorksWithNoneOfIt() {
        // Only protoloop's auto-configurations: Spring Boot's own Actuator ones would not be there either.
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class,
                    ProtoloopMetricsAutoConfiguration.class, ProtoloopHealthContributorAutoConfiguration.class,
                    TransportsEndpointAutoConfiguration.class))
            .withPropertyValues("protoloop.loop.threads=1", "management.endpoints.web.exposure.include=*")
            .withUserConfiguration(Echo.class)
            .withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                    "org.springframework.boot.health", "org.springframework.boot.micrometer"))
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(EventLoop.class)
                    .hasSingleBean(EndpointRegistry.class)
                    .doesNotHaveBean(ProtoloopMetrics.class)
                    .doesNotHaveBean(LoopLagMonitor.class)
                    .doesNotHaveBean(ProtoloopHealthIndicator.class)
                    .doesNotHaveBean(TransportsEndpoint.class);
                assertEchoServes(context);
            });
    }

    @Test
    void healthIndicatorCanBeDisabled() {
        this.contextRunner.withPropertyValues("management.health.protoloop.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(ProtoloopHealthIndicator.class));
    }

    @Test
    void backsOffFromTheApplicationsOwnBeans() {
        this.contextRunner.withUserConfiguration(OwnBeans.class).run((context) -> {
            assertThat(context).hasSingleBean(ProtoloopMetrics.class).hasSingleBean(LoopLagMonitor.class);
            assertThat(context.getBean(LoopLagMonitor.class).getInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(context.getBean(ProtoloopMetrics.class)).isSameAs(context.getBean(OwnBeans.class).metrics);
        });
    }

    @Test
    void invalidPropertiesFailStartupNamingTheProperty() {
        assertInvalid("protoloop.metrics.loop-lag.interval=0s", "protoloop.metrics.loop-lag.interval");
        assertInvalid("protoloop.health.lag-threshold=0s", "protoloop.health.lag-threshold");
        assertInvalid("protoloop.actuator.transports.max-transports=0", "protoloop.actuator.transports.max-transports");
    }

    private void assertInvalid(String property, String name) {
        this.contextRunner.withPropertyValues(property).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .satisfies((ex) -> assertThat(((InvalidConfigurationPropertyValueException) ex).getName())
                    .isEqualTo(name));
        });
    }

    private static void assertEchoServes(AssertableApplicationContext context) throws Exception {
        try (Socket socket = ActuatorTestSupport.connect(port(context, "echo"))) {
            assertThat(roundTrip(socket, "still here")).isEqualTo("still here");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        ProtoloopMetrics metrics;

        @Bean(initMethod = "start", destroyMethod = "stop")
        LoopLagMonitor ownLagMonitor(EventLoop eventLoop) {
            return new LoopLagMonitor(eventLoop, Duration.ofSeconds(2));
        }

        @Bean
        ProtoloopMetrics ownMetrics(EventLoop eventLoop, LoopLagMonitor ownLagMonitor) {
            this.metrics = new ProtoloopMetrics(eventLoop, ownLagMonitor, null);
            return this.metrics;
        }

    }

}
