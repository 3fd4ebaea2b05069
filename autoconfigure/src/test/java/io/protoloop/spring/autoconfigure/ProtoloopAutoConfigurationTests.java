package io.protoloop.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.protoloop.EventLoop;
import io.protoloop.ExceptionHandler;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import io.protoloop.internal.loop.Engine;
import io.protoloop.spring.EndpointRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Tests for {@link ProtoloopAutoConfiguration}: the event loop bean and its conditions.
 */
class ProtoloopAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class));

    @Test
    void createsEventLoopWithOneThreadPerProcessorAndTheBestEngine() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(EventLoop.class).hasBean("protoloopEventLoop");
            EventLoop loop = context.getBean(EventLoop.class);
            assertThat(loop.members()).hasSize(Runtime.getRuntime().availableProcessors());
            assertThat(loop.transportType()).isNotEqualTo(LoopTransport.AUTO);
            assertThat(loop.getDebug()).isFalse();
            assertThat(context).hasSingleBean(EndpointRegistry.class)
                .hasBean("protoloopEndpointRegistry")
                .hasSingleBean(ProtocolEndpointsLifecycle.class)
                .hasSingleBean(ProtocolEndpointsGracefulShutdownLifecycle.class);
        });
    }

    @Test
    void loopPropertiesConfigureTheLoop() {
        this.contextRunner
            .withPropertyValues("protoloop.loop.threads=2", "protoloop.loop.transport=nio", "protoloop.loop.debug=true",
                    "protoloop.loop.slow-callback-duration=250ms", "protoloop.loop.thread-name-prefix=echo-loop")
            .run((context) -> {
                EventLoop loop = context.getBean(EventLoop.class);
                assertThat(loop.members()).hasSize(2);
                assertThat(loop.transportType()).isEqualTo(LoopTransport.NIO);
                assertThat(loop.getDebug()).isTrue();
                assertThat(loop.getSlowCallbackDuration()).isEqualTo(Duration.ofMillis(250));
                assertThat(threadNameOnLoop(loop)).startsWith("echo-loop");
            });
    }

    @Test
    void loopTransportTakesAsyncioSpellings() {
        this.contextRunner.withUserConfiguration(UserLoopConfiguration.class)
            .withPropertyValues("protoloop.loop.transport=io_uring")
            .run((context) -> assertThat(context.getBean(ProtoloopProperties.class).getLoop().getTransport())
                .isEqualTo(LoopTransport.IO_URING));
    }

    @Test
    void unavailableTransportFailsWithInvalidPropertyValue() {
        assumeFalse(Engine.isAvailable(LoopTransport.IO_URING), "io_uring is available here");
        this.contextRunner.withPropertyValues("protoloop.loop.transport=io_uring").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("protoloop.loop.transport");
        });
    }

    @Test
    void threadsMustBePositive() {
        this.contextRunner.withPropertyValues("protoloop.loop.threads=0").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("protoloop.loop.threads");
        });
    }

    @Test
    void closesTheLoopItCreatedWithTheContext() {
        EventLoop[] loop = new EventLoop[1];
        this.contextRunner.run((context) -> loop[0] = context.getBean(EventLoop.class));
        assertThat(loop[0].isClosed()).isTrue();
    }

    @Test
    void backsOffFromUserEventLoopAndLeavesItOpen() {
        this.contextRunner.withUserConfiguration(UserLoopConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(EventLoop.class).doesNotHaveBean("protoloopEventLoop");
            assertThat(context.getBean(EventLoop.class)).isSameAs(UserLoopConfiguration.LOOP);
        });
        assertThat(UserLoopConfiguration.LOOP.isClosed()).isFalse();
    }

    @AfterAll
    static void closeUserLoop() {
        UserLoopConfiguration.LOOP.close();
    }

    @Test
    void userExceptionHandlerReplacesTheDefault() {
        this.contextRunner.withUserConfiguration(ExceptionHandlerConfiguration.class).run((context) -> {
            EventLoop loop = context.getBean(EventLoop.class);
            ExceptionHandler handler = context.getBean(ExceptionHandler.class);
            assertThat(loop.getExceptionHandler()).isSameAs(handler);
            loop.callSoon(() -> {
                throw new IllegalStateException("boom");
            });
            List<Map<String, Object>> seen = context.getBean(ExceptionHandlerConfiguration.class).seen;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(seen).singleElement()
                .satisfies((map) -> assertThat(map.get("exception")).isInstanceOf(IllegalStateException.class));
        });
    }

    @Test
    void defaultExecutorIsTheApplicationTaskExecutor() {
        this.contextRunner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
            .withPropertyValues("spring.task.execution.thread-name-prefix=app-task-")
            .run((context) -> {
                assertThat(context).hasBean("applicationTaskExecutor");
                EventLoop loop = context.getBean(EventLoop.class);
                String thread = loop
                    .runUntilComplete(loop.runInExecutor(null, () -> Thread.currentThread().getName()));
                assertThat(thread).startsWith("app-task-");
            });
    }

    @Test
    void loopKeepsItsOwnExecutorWithoutApplicationTaskExecutor() {
        this.contextRunner.run((context) -> {
            EventLoop loop = context.getBean(EventLoop.class);
            String thread = loop.runUntilComplete(loop.runInExecutor(null, () -> Thread.currentThread().getName()));
            assertThat(thread).startsWith("protoloop-executor");
        });
    }

    @Test
    void backsOffWithoutProtoloopCore() {
        this.contextRunner.withClassLoader(new FilteredClassLoader(EventLoop.class)).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(EventLoop.class).doesNotHaveBean(EndpointRegistry.class);
        });
    }

    private static String threadNameOnLoop(EventLoop loop) {
        CompletableFuture<String> name = new CompletableFuture<>();
        loop.callSoon(() -> name.complete(Thread.currentThread().getName()));
        return name.join();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserLoopConfiguration {

        static final EventLoop LOOP = EventLoop.create(LoopOptions.builder().threadNamePrefix("user").build());

        @Bean(destroyMethod = "")
        EventLoop userLoop() {
            return LOOP;
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class ExceptionHandlerConfiguration {

        final List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();

        @Bean
        ExceptionHandler recordingExceptionHandler() {
            return (loop, context) -> this.seen.add(context);
        }

    }

}
