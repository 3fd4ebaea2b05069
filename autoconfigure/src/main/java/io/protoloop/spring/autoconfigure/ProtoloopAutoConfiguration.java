package io.protoloop.spring.autoconfigure;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;

import io.protoloop.EventLoop;
import io.protoloop.ExceptionHandler;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for protoloop: the application's
 * {@link EventLoop} (bean {@value #EVENT_LOOP_BEAN_NAME}, asyncio's event loop) and the endpoints
 * declared with {@link io.protoloop.spring.ProtocolEndpoint @ProtocolEndpoint} or
 * {@link io.protoloop.spring.EndpointDefinition} beans, started and stopped with the context and
 * listed by the {@link io.protoloop.spring.EndpointRegistry}.
 *
 * <p>An {@link EventLoop} bean of the application's own replaces {@value #EVENT_LOOP_BEAN_NAME}; the
 * endpoints then run on it, and the starter neither configures it (exception handler, default
 * executor) nor closes it.
 */
@AutoConfiguration(after = { TaskExecutionAutoConfiguration.class, SslAutoConfiguration.class })
@ConditionalOnClass(EventLoop.class)
@EnableConfigurationProperties(ProtoloopProperties.class)
public final class ProtoloopAutoConfiguration {

    /** Name of the event loop bean the auto-configuration defines. */
    public static final String EVENT_LOOP_BEAN_NAME = "protoloopEventLoop";

    /** Name of the {@link io.protoloop.spring.EndpointRegistry} bean. */
    public static final String ENDPOINT_REGISTRY_BEAN_NAME = "protoloopEndpointRegistry";

    static final String SHUTDOWN_TIMEOUT_PROPERTY = "spring.lifecycle.timeout-per-shutdown-phase";

    ProtoloopAutoConfiguration() {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(EventLoop.class)
    static class EventLoopConfiguration {

        /**
         * The loop the starter owns: created from {@code protoloop.loop.*}, with the user's
         * {@link ExceptionHandler} bean and Spring Boot's {@code applicationTaskExecutor} as the
         * default executor of {@code runInExecutor}; closed with the context.
         */
        @Bean(name = EVENT_LOOP_BEAN_NAME, destroyMethod = "close")
        EventLoop protoloopEventLoop(ProtoloopProperties properties, ObjectProvider<ExceptionHandler> exceptionHandler,
                @Qualifier(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME) ObjectProvider<Executor> applicationTaskExecutor) {
            ProtoloopProperties.Loop loop = properties.getLoop();
            int threads = (loop.getThreads() != null) ? loop.getThreads() : Runtime.getRuntime().availableProcessors();
            if (threads < 1) {
                throw new InvalidConfigurationPropertyValueException("protoloop.loop.threads", threads,
                        "The loop needs at least one thread.");
            }
            LoopOptions options = LoopOptions.builder()
                .threads(threads)
                .transport(loop.getTransport())
                .debug(loop.isDebug())
                .slowCallbackDuration(loop.getSlowCallbackDuration())
                .threadNamePrefix(loop.getThreadNamePrefix())
                .build();
            EventLoop eventLoop;
            try {
                eventLoop = EventLoop.create(options);
            }
            catch (IllegalStateException ex) {
                if (loop.getTransport() == LoopTransport.AUTO) {
                    throw ex;
                }
                throw new InvalidConfigurationPropertyValueException("protoloop.loop.transport",
                        loop.getTransport().name().toLowerCase(Locale.ROOT), ex.getMessage());
            }
            exceptionHandler.ifUnique(eventLoop::setExceptionHandler);
            applicationTaskExecutor.ifAvailable(eventLoop::setDefaultExecutor);
            return eventLoop;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class ProtocolEndpointsConfiguration {

        @Bean(name = ENDPOINT_REGISTRY_BEAN_NAME)
        ProtocolEndpointManager protoloopEndpointRegistry(EventLoop eventLoop, ProtoloopProperties properties,
                ConfigurableListableBeanFactory beanFactory, Environment environment,
                ObjectProvider<SslBundles> sslBundles, ApplicationContext applicationContext) {
            EndpointResolver resolver = new EndpointResolver(beanFactory, environment, properties, sslBundles);
            Duration gracePeriod = Binder.get(environment)
                .bind(SHUTDOWN_TIMEOUT_PROPERTY, Duration.class)
                .orElse(Duration.ofSeconds(30));
            return new ProtocolEndpointManager(eventLoop, resolver, applicationContext, gracePeriod);
        }

        @Bean
        ProtocolEndpointsLifecycle protoloopEndpointsLifecycle(ProtocolEndpointManager protoloopEndpointRegistry) {
            return new ProtocolEndpointsLifecycle(protoloopEndpointRegistry);
        }

        @Bean
        ProtocolEndpointsGracefulShutdownLifecycle protoloopEndpointsGracefulShutdownLifecycle(
                ProtocolEndpointManager protoloopEndpointRegistry) {
            return new ProtocolEndpointsGracefulShutdownLifecycle(protoloopEndpointRegistry);
        }

    }

}
