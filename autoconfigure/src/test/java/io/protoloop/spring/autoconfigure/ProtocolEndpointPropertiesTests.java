package io.protoloop.spring.autoconfigure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import io.protoloop.protocol.Protocol;
import io.protoloop.spring.EndpointDefinition;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.spring.TransportKind;
import io.protoloop.testsupport.Sockets;
import io.protoloop.transport.Transport;
import io.protoloop.transport.WriteBufferLimits;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How {@code @ProtocolEndpoint} attributes, {@link EndpointDefinition} beans and
 * {@code protoloop.endpoints.<name>.*} properties resolve into endpoints.
 */
class ProtocolEndpointPropertiesTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=1")
        .withBean(TestProtocols.Instances.class);

    @Test
    void attributesResolvePlaceholders() {
        this.contextRunner.withUserConfiguration(PlaceholderEndpoint.class)
            .withPropertyValues("test.name=resolved", "test.host=127.0.0.1")
            .run((context) -> {
                ManagedEndpoint endpoint = registry(context).getEndpoint("resolved");
                assertThat(endpoint).isNotNull();
                assertThat(((InetSocketAddress) endpoint.getAddresses().get(0)).getHostString()).isEqualTo("127.0.0.1");
            });
    }

    @Test
    void propertiesOverrideTheAttributes() throws Exception {
        int port = freePort();
        this.contextRunner.withUserConfiguration(PlaceholderEndpoint.class)
            .withPropertyValues("test.name=overridden", "protoloop.endpoints.overridden.port=" + port,
                    "protoloop.endpoints.overridden.host=localhost", "protoloop.endpoints.overridden.backlog=7",
                    "protoloop.endpoints.overridden.keep-alive=true", "protoloop.endpoints.overridden.reuse-port=true")
            .run((context) -> {
                assertThat(context.getEnvironment().getProperty("local.protoloop.overridden.port", Integer.class))
                    .isEqualTo(port);
                EndpointSpec spec = spec(context, "overridden");
                assertThat(spec.host()).isEqualTo("localhost");
                assertThat(spec.backlog()).isEqualTo(7);
                assertThat(spec.keepAlive()).isTrue();
                assertThat(spec.reusePort()).isTrue();
                assertThat(StreamEndpointRunner.options(spec).reusePort()).isTrue();
                assertThat(StreamEndpointRunner.options(spec).backlog()).isEqualTo(7);
                assertThat(spec.propertyPrefix()).isEqualTo("protoloop.endpoints.overridden");
            });
    }

    @Test
    void nameDefaultsToTheBeanNameAndPropertyKeysMatchRelaxed() {
        this.contextRunner.withBean("echoServer", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.echo-server.host=127.0.0.1")
            .run((context) -> {
                assertThat(registry(context).getEndpoints()).extracting(ManagedEndpoint::getName)
                    .containsExactly("echoServer");
                assertThat(spec(context, "echoServer").host()).isEqualTo("127.0.0.1");
                assertThat(context.getEnvironment().getProperty("local.protoloop.echoServer.port")).isNotNull();
            });
    }

    @Test
    void defaultsFollowAsyncio() {
        this.contextRunner.withBean("plain", UnnamedEndpoint.class).run((context) -> {
            EndpointSpec spec = spec(context, "plain");
            assertThat(spec.kind()).isEqualTo(TransportKind.TCP);
            assertThat(spec.host()).isNull();
            assertThat(spec.backlog()).isEqualTo(100);
            assertThat(spec.writeBufferLimits()).isEqualTo(WriteBufferLimits.DEFAULT);
            assertThat(spec.restart()).isEqualTo(RestartPolicy.NEVER);
            assertThat(spec.maxRestarts()).isEqualTo(5);
            assertThat(spec.backoff()).isEqualTo(Duration.ofSeconds(1));
            assertThat(spec.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
            assertThat(spec.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(registry(context).getEndpoint("plain").getSslBundle()).isNull();
        });
    }

    @Test
    void writeBufferLimitsApplyToAcceptedTransports() {
        this.contextRunner.withBean("limited", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.limited.host=127.0.0.1",
                    "protoloop.endpoints.limited.write-buffer.high=128KB",
                    "protoloop.endpoints.limited.write-buffer.low=32KB")
            .run((context) -> {
                int port = context.getEnvironment().getProperty("local.protoloop.limited.port", Integer.class);
                ManagedEndpoint endpoint = registry(context).getEndpoint("limited");
                try (Socket socket = Sockets.connect(new InetSocketAddress("127.0.0.1", port))) {
                    assertThat(socket.isConnected()).isTrue();
                    await().atMost(Duration.ofSeconds(20)).until(() -> !endpoint.getTransports().isEmpty());
                    Transport transport = (Transport) endpoint.getTransports().get(0);
                    assertThat(transport.getWriteBufferLimits()).isEqualTo(new WriteBufferLimits(32 * 1024, 128 * 1024));
                }
            });
    }

    @Test
    void onlyTheLowWaterMarkGivesAsyncioHighOfFourTimesLow() {
        this.contextRunner.withBean("low", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.low.write-buffer.low=100KB")
            .run((context) -> assertThat(spec(context, "low").writeBufferLimits())
                .isEqualTo(new WriteBufferLimits(100 * 1024, 400 * 1024)));
    }

    @Test
    void disabledEndpointBindsNothingAndCreatesNoProtocol() {
        this.contextRunner.withUserConfiguration(CountingEndpoint.class)
            .withPropertyValues("protoloop.endpoints.counting.enabled=false")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(registry(context).getEndpoints()).isEmpty();
                assertThat(context.getEnvironment().containsProperty("local.protoloop.counting.port")).isFalse();
                assertThat(context.getBean(TestProtocols.Instances.class).count()).isZero();
            });
    }

    @Test
    void endpointDefinitionsTakePropertiesToo() {
        this.contextRunner.withUserConfiguration(DefinitionConfiguration.class)
            .withPropertyValues("protoloop.endpoints.defined.host=127.0.0.1", "protoloop.endpoints.skipped.enabled=false")
            .run((context) -> {
                assertThat(registry(context).getEndpoints()).extracting(ManagedEndpoint::getName)
                    .containsExactly("defined");
                assertThat(spec(context, "defined").host()).isEqualTo("127.0.0.1");
                assertThat(spec(context, "defined").origin()).isEqualTo("EndpointDefinition bean 'definedEndpoint'");
            });
    }

    @Test
    void propertiesForAnUnknownEndpointFailStartup() {
        this.contextRunner.withBean("known", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.typo.port=1234")
            .run((context) -> assertThat(invalid(context)).satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.typo");
                assertThat(ex.getDescription()).contains("Known endpoints: known.");
            }));
    }

    @Test
    void duplicateNamesFailStartup() {
        this.contextRunner.withUserConfiguration(PlaceholderEndpoint.class, DefinitionConfiguration.class)
            .withPropertyValues("test.name=defined")
            .run((context) -> assertThat(invalid(context).getDescription())
                .contains("must be unique, but 'defined' is used by @ProtocolEndpoint on "
                        + PlaceholderEndpoint.class.getName() + " and by EndpointDefinition bean 'definedEndpoint'"));
    }

    @Test
    void nonNumericPortFailsStartup() {
        this.contextRunner.withUserConfiguration(PlaceholderEndpoint.class)
            .withPropertyValues("test.name=bad", "test.port=eighty")
            .run((context) -> {
                InvalidEndpointException ex = invalid(context);
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.bad.port");
                assertThat(ex.getDescription()).contains("port 'eighty'");
            });
    }

    @Test
    void unresolvablePlaceholderFailsStartup() {
        this.contextRunner.withUserConfiguration(UnresolvableEndpoint.class)
            .run((context) -> assertThat(invalid(context).getProperty())
                .isEqualTo("the host attribute of @ProtocolEndpoint on " + UnresolvableEndpoint.class.getName()));
    }

    @Test
    void invalidWriteBufferLimitsFailStartup() {
        this.contextRunner.withBean("limits", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.limits.write-buffer.high=1KB",
                    "protoloop.endpoints.limits.write-buffer.low=2KB")
            .run((context) -> assertThat(invalid(context).getProperty())
                .isEqualTo("protoloop.endpoints.limits.write-buffer.low"));
    }

    @Test
    void aMisspeltEndpointPropertyFailsStartupNamingIt() {
        this.contextRunner.withBean("limits", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.limits.port=0", "protoloop.endpoints.limits.write-bufer.high=1KB")
            .run((context) -> {
                InvalidEndpointException ex = invalid(context);
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.limits.write-bufer.high");
                assertThat(ex.getDescription()).contains("is not a protoloop endpoint property");
                assertThat(ex.getAction()).contains("write-buffer.high/low");
            });
    }

    @Test
    void everyDocumentedEndpointPropertyIsAccepted() {
        this.contextRunner.withBean("limits", UnnamedEndpoint.class)
            .withPropertyValues("protoloop.endpoints.limits.enabled=true", "protoloop.endpoints.limits.host=127.0.0.1",
                    "protoloop.endpoints.limits.port=0", "protoloop.endpoints.limits.backlog=50",
                    "protoloop.endpoints.limits.reuse-port=true", "protoloop.endpoints.limits.keep-alive=true",
                    "protoloop.endpoints.limits.write-buffer.high=2KB", "protoloop.endpoints.limits.write-buffer.low=1KB",
                    "protoloop.endpoints.limits.restart.policy=never", "protoloop.endpoints.limits.restart.max-restarts=1",
                    "protoloop.endpoints.limits.restart.backoff=1s", "protoloop.endpoints.limits.restart.max-backoff=2s",
                    "protoloop.endpoints.limits.stop-timeout=1s")
            .run((context) -> assertThat(spec(context, "limits").backlog()).isEqualTo(50));
    }

    @Test
    void unixEndpointWithoutPathFailsStartup() {
        this.contextRunner.withUserConfiguration(PathlessUnixEndpoint.class)
            .run((context) -> assertThat(invalid(context).getProperty()).isEqualTo("protoloop.endpoints.pathless.path"));
    }

    @Test
    void singletonConnectionProtocolFailsStartup() {
        this.contextRunner.withUserConfiguration(SingletonEndpoint.class).run((context) -> {
            InvalidEndpointException ex = invalid(context);
            assertThat(ex.getDescription()).contains("needs a new protocol instance for every connection");
            assertThat(ex.getAction()).contains("@Scope");
        });
    }

    static EndpointRegistry registry(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        return context.getBean(EndpointRegistry.class);
    }

    static EndpointSpec spec(AssertableApplicationContext context, String name) {
        return ((EndpointRunner) registry(context).getEndpoint(name)).spec();
    }

    static InvalidEndpointException invalid(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidEndpointException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("No InvalidEndpointException in", context.getStartupFailure());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @ProtocolEndpoint(name = "${test.name}", host = "${test.host:}", port = "${test.port:0}")
    static class PlaceholderEndpoint implements Protocol {

    }

    @ProtocolEndpoint
    static class UnnamedEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "counting")
    static class CountingEndpoint extends TestProtocols.Echo {

        CountingEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @ProtocolEndpoint(name = "unresolvable", host = "${no.such.property}")
    static class UnresolvableEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "pathless", transport = TransportKind.UNIX)
    static class PathlessUnixEndpoint implements Protocol {

    }

    @ProtocolEndpoint(name = "singleton", host = "127.0.0.1")
    @Scope(ConfigurableBeanFactory.SCOPE_SINGLETON)
    static class SingletonEndpoint implements Protocol {

    }

    @Configuration(proxyBeanMethods = false)
    static class DefinitionConfiguration {

        @Bean
        EndpointDefinition definedEndpoint() {
            return EndpointDefinition.tcp("defined", UnnamedEndpoint::new).build();
        }

        @Bean
        EndpointDefinition skippedEndpoint() {
            return EndpointDefinition.udp("skipped", () -> new io.protoloop.protocol.DatagramProtocol() {
            }).port(9).build();
        }

    }

}
