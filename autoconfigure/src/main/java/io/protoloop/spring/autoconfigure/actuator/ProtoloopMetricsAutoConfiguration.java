package io.protoloop.spring.autoconfigure.actuator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.protoloop.EventLoop;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.actuator.LoopLagMonitor;
import io.protoloop.spring.actuator.ProtoloopMetrics;
import io.protoloop.spring.autoconfigure.ProtoloopAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for protoloop's Micrometer meters
 * ({@link ProtoloopMetrics}, bound to every registry as a {@link MeterBinder}) and the loop-lag probe
 * they read.
 */
@AutoConfiguration(after = ProtoloopAutoConfiguration.class,
        afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ EventLoop.class, MeterBinder.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ EventLoop.class, EndpointRegistry.class, MeterRegistry.class })
@EnableConfigurationProperties(ProtoloopMetricsProperties.class)
public final class ProtoloopMetricsAutoConfiguration {

    /** Name of the {@link LoopLagMonitor} bean. */
    public static final String LOOP_LAG_MONITOR_BEAN_NAME = "protoloopLoopLagMonitor";

    ProtoloopMetricsAutoConfiguration() {
    }

    @Bean(name = LOOP_LAG_MONITOR_BEAN_NAME, initMethod = "start", destroyMethod = "stop")
    @ConditionalOnMissingBean
    LoopLagMonitor protoloopLoopLagMonitor(EventLoop eventLoop, ProtoloopMetricsProperties properties) {
        return LoopLagMonitors.create(eventLoop, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    ProtoloopMetrics protoloopMetrics(EventLoop eventLoop, LoopLagMonitor protoloopLoopLagMonitor,
            EndpointRegistry endpointRegistry) {
        return new ProtoloopMetrics(eventLoop, protoloopLoopLagMonitor, endpointRegistry);
    }

}
