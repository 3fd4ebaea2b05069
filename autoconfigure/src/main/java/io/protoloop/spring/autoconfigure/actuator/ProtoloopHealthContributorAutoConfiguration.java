package io.protoloop.spring.autoconfigure.actuator;

import java.time.Duration;

import io.protoloop.EventLoop;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.actuator.LoopLagMonitor;
import io.protoloop.spring.actuator.ProtoloopHealthIndicator;
import io.protoloop.spring.autoconfigure.ProtoloopAutoConfiguration;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@code protoloop} health component
 * ({@link ProtoloopHealthIndicator}) and its membership of the readiness group. Disabled with
 * {@code management.health.protoloop.enabled=false}.
 */
@AutoConfiguration(after = { ProtoloopAutoConfiguration.class, ProtoloopMetricsAutoConfiguration.class },
        afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass({ EventLoop.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@EnableConfigurationProperties({ ProtoloopHealthProperties.class, ProtoloopMetricsProperties.class })
public final class ProtoloopHealthContributorAutoConfiguration {

    /** Name of the health indicator bean; the health component is {@code protoloop}. */
    public static final String HEALTH_INDICATOR_BEAN_NAME = "protoloopHealthIndicator";

    static final String LAG_THRESHOLD_PROPERTY = "protoloop.health.lag-threshold";

    ProtoloopHealthContributorAutoConfiguration() {
    }

    /** Nested so that spring-boot-health's own condition is only read once its classes are known present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean({ EventLoop.class, EndpointRegistry.class })
    @ConditionalOnEnabledHealthIndicator("protoloop")
    static class HealthIndicatorConfiguration {

        @Bean(name = ProtoloopMetricsAutoConfiguration.LOOP_LAG_MONITOR_BEAN_NAME, initMethod = "start",
                destroyMethod = "stop")
        @ConditionalOnMissingBean
        LoopLagMonitor protoloopLoopLagMonitor(EventLoop eventLoop, ProtoloopMetricsProperties properties) {
            return LoopLagMonitors.create(eventLoop, properties);
        }

        @Bean(name = HEALTH_INDICATOR_BEAN_NAME)
        @ConditionalOnMissingBean(name = { HEALTH_INDICATOR_BEAN_NAME, "protoloopHealthContributor" })
        ProtoloopHealthIndicator protoloopHealthIndicator(EndpointRegistry endpointRegistry,
                LoopLagMonitor protoloopLoopLagMonitor, ProtoloopHealthProperties properties) {
            Duration threshold = properties.getLagThreshold();
            if (threshold.isNegative() || threshold.isZero()) {
                throw new InvalidConfigurationPropertyValueException(LAG_THRESHOLD_PROPERTY, threshold,
                        "The lag threshold must be positive (the default is 1s).");
            }
            return new ProtoloopHealthIndicator(endpointRegistry, protoloopLoopLagMonitor, threshold);
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass({ HealthEndpointGroupsPostProcessor.class, SecurityContext.class })
        @ConditionalOnBooleanProperty(name = "protoloop.health.include-in-readiness", matchIfMissing = true)
        static class ReadinessConfiguration {

            @Bean
            static ReadinessGroupPostProcessor protoloopReadinessGroupPostProcessor(Environment environment) {
                return new ReadinessGroupPostProcessor("protoloop", environment);
            }

        }

    }

}
