package io.protoloop.spring.autoconfigure.actuator;

import java.time.Duration;

import io.protoloop.EventLoop;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.actuator.TransportsEndpoint;
import io.protoloop.spring.actuator.WritableTransportsEndpoint;
import io.protoloop.spring.autoconfigure.ProtoloopAutoConfiguration;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@code transports} Actuator endpoint
 * ({@link TransportsEndpoint}; {@link WritableTransportsEndpoint} when
 * {@code protoloop.actuator.transports.write-operations.enabled=true}). Like every Actuator endpoint it
 * only exists when available: {@code management.endpoints.web.exposure.include=transports} (or JMX).
 */
@AutoConfiguration(after = ProtoloopAutoConfiguration.class)
@ConditionalOnClass({ EventLoop.class, Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(EndpointRegistry.class)
@EnableConfigurationProperties(TransportsEndpointProperties.class)
public final class TransportsEndpointAutoConfiguration {

    static final String WRITE_OPERATIONS_PROPERTY = "protoloop.actuator.transports.write-operations.enabled";

    /** Classes whose presence shows Spring Security's web support (servlet or reactive). */
    private static final String[] SECURITY_CLASSES = { "org.springframework.security.web.SecurityFilterChain",
            "org.springframework.security.web.server.SecurityWebFilterChain" };

    TransportsEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    TransportsEndpoint transportsEndpoint(EndpointRegistry endpointRegistry, TransportsEndpointProperties properties,
            ApplicationContext applicationContext) {
        int max = properties.getMaxTransports();
        if (max < 1) {
            throw new InvalidConfigurationPropertyValueException("protoloop.actuator.transports.max-transports", max,
                    "At least one transport must be listed per response (the default is 1000).");
        }
        Duration timeout = properties.getSnapshotTimeout();
        if (timeout.isNegative()) {
            throw new InvalidConfigurationPropertyValueException("protoloop.actuator.transports.snapshot-timeout",
                    timeout, "The snapshot timeout must not be negative (the default is 1s).");
        }
        if (!properties.getWriteOperations().isEnabled()) {
            return new TransportsEndpoint(endpointRegistry, max, timeout);
        }
        if (!securityPresent(applicationContext.getClassLoader())) {
            throw new InvalidConfigurationPropertyValueException(WRITE_OPERATIONS_PROPERTY, true,
                    "The write operations of /actuator/transports close and abort the application's connections, "
                            + "so they need the application's own security, and Spring Security is not on the "
                            + "classpath. Add spring-boot-starter-security and restrict /actuator/transports, or "
                            + "leave write operations disabled.");
        }
        return new WritableTransportsEndpoint(endpointRegistry, max, timeout);
    }

    static boolean securityPresent(@Nullable ClassLoader classLoader) {
        for (String name : SECURITY_CLASSES) {
            if (ClassUtils.isPresent(name, classLoader)) {
                return true;
            }
        }
        return false;
    }

}
