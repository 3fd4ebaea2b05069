package io.protoloop.spring.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.EndpointDefinition;
import io.protoloop.spring.EndpointRegistry;
import io.protoloop.spring.ManagedEndpoint;
import io.protoloop.spring.ManagedEndpoint.State;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.SubprocessTransport;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Supervised SUBPROCESS endpoints through a running context, with real processes.
 */
class SubprocessEndpointTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ProtoloopAutoConfiguration.class))
        .withPropertyValues("protoloop.loop.threads=1")
        .withBean(TestProtocols.Instances.class);

    @Test
    void processStartsWithTheApplicationAndIsTerminatedWhenItStops() {
        ManagedEndpoint[] endpoint = new ManagedEndpoint[1];
        long[] pid = new long[1];
        this.contextRunner.withUserConfiguration(SleeperEndpoint.class).run((context) -> {
            endpoint[0] = context.getBean(EndpointRegistry.class).getEndpoint("sleeper");
            assertThat(endpoint[0].getKind()).isEqualTo(TransportKind.SUBPROCESS);
            assertThat(endpoint[0].getState()).isEqualTo(State.RUNNING);
            assertThat(endpoint[0].getPid()).isNotNull();
            pid[0] = endpoint[0].getPid();
            assertThat(ProcessHandle.of(pid[0])).hasValueSatisfying((p) -> assertThat(p.isAlive()).isTrue());
            assertThat(endpoint[0].getTransports()).singleElement().isInstanceOf(SubprocessTransport.class);
            assertThat(endpoint[0].getAddresses()).isEmpty();
            assertThat(context.getBean(TestProtocols.Instances.class).count()).isEqualTo(1);
        });
        assertThat(ProcessHandle.of(pid[0]).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(endpoint[0].getState()).isEqualTo(State.STOPPED);
        assertThat(endpoint[0].getLastExitCode()).isEqualTo(-15);
        assertThat(endpoint[0].getPid()).isNull();
    }

    @Test
    void processIgnoringSigtermIsKilledAfterTheStopTimeout() {
        ManagedEndpoint[] endpoint = new ManagedEndpoint[1];
        long[] closeStart = new long[1];
        this.contextRunner.withUserConfiguration(StubbornEndpoint.class)
            .withPropertyValues("protoloop.endpoints.stubborn.stop-timeout=300ms")
            .run((context) -> {
                endpoint[0] = context.getBean(EndpointRegistry.class).getEndpoint("stubborn");
                // Stop only once the shell ignores SIGTERM, or SIGTERM may win the race and end it.
                TestProtocols.Instances instances = context.getBean(TestProtocols.Instances.class);
                await().atMost(Duration.ofSeconds(20)).until(() -> instances.created.stream()
                    .anyMatch((p) -> ((Recorder) p).stdout.toString(StandardCharsets.UTF_8).contains("ready")));
                closeStart[0] = System.nanoTime();
            });
        // The child ignores SIGTERM and would sleep 30 s, and the default stop timeout is 10 s: closing
        // well before either means SIGKILL came after the configured 300 ms.
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart[0])).isLessThan(Duration.ofSeconds(8));
        assertThat(endpoint[0].getLastExitCode()).isEqualTo(-9);
    }

    @Test
    void stoppingAlsoEndsTheProcessesTheChildStarted() {
        long[] grandchild = new long[1];
        this.contextRunner.withUserConfiguration(ParentEndpoint.class).run((context) -> {
            TestProtocols.Instances instances = context.getBean(TestProtocols.Instances.class);
            Recorder parent = (Recorder) instances.created.iterator().next();
            await().atMost(Duration.ofSeconds(20)).until(() -> parent.output().endsWith("\n"));
            grandchild[0] = Long.parseLong(parent.output().trim());
            assertThat(ProcessHandle.of(grandchild[0])).hasValueSatisfying((p) -> assertThat(p.isAlive()).isTrue());
        });
        // Signalling the shell alone would have left its sleep running for 30 s, re-parented.
        await().atMost(Duration.ofSeconds(10))
            .until(() -> ProcessHandle.of(grandchild[0]).filter(ProcessHandle::isAlive).isEmpty());
    }

    @Test
    void outputReachesTheProtocol() {
        this.contextRunner.withUserConfiguration(GreeterEndpoint.class).run((context) -> {
            ManagedEndpoint greeter = context.getBean(EndpointRegistry.class).getEndpoint("greeter");
            await().atMost(Duration.ofSeconds(20)).until(() -> greeter.getState() == State.EXITED);
            assertThat(greeter.getLastExitCode()).isZero();
            assertThat(greeter.getRestarts()).isZero();
            assertThat(GreeterEndpoint.output(context.getBean(TestProtocols.Instances.class))).isEqualTo("hello\n");
        });
    }

    @Test
    void onFailurePolicyRestartsWithBackOffUntilMaxRestarts() {
        this.contextRunner.withUserConfiguration(FailingEndpoint.class)
            .withPropertyValues("protoloop.endpoints.failing.restart.backoff=20ms",
                    "protoloop.endpoints.failing.restart.max-backoff=40ms",
                    "protoloop.endpoints.failing.restart.max-restarts=2")
            .run((context) -> {
                ManagedEndpoint failing = context.getBean(EndpointRegistry.class).getEndpoint("failing");
                await().atMost(Duration.ofSeconds(10)).until(() -> failing.getState() == State.FAILED);
                assertThat(failing.getRestarts()).isEqualTo(2);
                assertThat(failing.getLastExitCode()).isEqualTo(3);
                assertThat(failing.getPid()).isNull();
                assertThat(context.getBean(TestProtocols.Instances.class).count()).isEqualTo(3);
            });
    }

    @Test
    void onFailurePolicyDoesNotRestartACleanExit() {
        this.contextRunner.withUserConfiguration(GreeterEndpoint.class)
            .withPropertyValues("protoloop.endpoints.greeter.restart.policy=on-failure")
            .run((context) -> {
                ManagedEndpoint greeter = context.getBean(EndpointRegistry.class).getEndpoint("greeter");
                await().atMost(Duration.ofSeconds(20)).until(() -> greeter.getState() == State.EXITED);
                assertThat(greeter.getRestarts()).isZero();
            });
    }

    @Test
    void alwaysPolicyRestartsACleanExit() {
        this.contextRunner.withUserConfiguration(GreeterEndpoint.class)
            .withPropertyValues("protoloop.endpoints.greeter.restart.policy=always",
                    "protoloop.endpoints.greeter.restart.backoff=10ms", "protoloop.endpoints.greeter.restart.max-restarts=1")
            .run((context) -> {
                ManagedEndpoint greeter = context.getBean(EndpointRegistry.class).getEndpoint("greeter");
                await().atMost(Duration.ofSeconds(20)).until(() -> greeter.getState() == State.FAILED);
                assertThat(greeter.getRestarts()).isEqualTo(1);
                assertThat(GreeterEndpoint.output(context.getBean(TestProtocols.Instances.class)))
                    .isEqualTo("hello\nhello\n");
            });
    }

    @Test
    void backOffDoublesUpToTheMaximum() {
        this.contextRunner.withUserConfiguration(SleeperEndpoint.class).run((context) -> {
            SubprocessEndpointRunner sleeper = (SubprocessEndpointRunner) context.getBean(EndpointRegistry.class)
                .getEndpoint("sleeper");
            assertThat(sleeper.backoff(0)).isEqualTo(Duration.ofSeconds(1));
            assertThat(sleeper.backoff(1)).isEqualTo(Duration.ofSeconds(2));
            assertThat(sleeper.backoff(4)).isEqualTo(Duration.ofSeconds(16));
            assertThat(sleeper.backoff(5)).isEqualTo(Duration.ofSeconds(30));
            assertThat(sleeper.backoff(100)).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void commandPropertyOverridesTheAttributes() {
        this.contextRunner.withUserConfiguration(GreeterEndpoint.class)
            .withPropertyValues("protoloop.endpoints.greeter.command=echo,bonjour")
            .run((context) -> {
                ManagedEndpoint greeter = context.getBean(EndpointRegistry.class).getEndpoint("greeter");
                await().atMost(Duration.ofSeconds(20)).until(() -> greeter.getState() == State.EXITED);
                assertThat(GreeterEndpoint.output(context.getBean(TestProtocols.Instances.class))).isEqualTo("bonjour\n");
            });
    }

    @Test
    void endpointDefinitionRunsAProcess() {
        this.contextRunner.withUserConfiguration(DefinitionConfiguration.class).run((context) -> {
            ManagedEndpoint defined = context.getBean(EndpointRegistry.class).getEndpoint("defined");
            await().atMost(Duration.ofSeconds(20)).until(() -> defined.getState() == State.EXITED);
            assertThat(defined.getLastExitCode()).isEqualTo(7);
        });
    }

    @Test
    void missingProgramFailsStartupNamingTheCommandProperty() {
        this.contextRunner.withUserConfiguration(GreeterEndpoint.class)
            .withPropertyValues("protoloop.endpoints.greeter.command=/nonexistent/program")
            .run((context) -> {
                var ex = ProtocolEndpointPropertiesTests.invalid(context);
                assertThat(ex.getProperty()).isEqualTo("protoloop.endpoints.greeter.command");
                assertThat(ex.getDescription()).contains("'greeter' (SUBPROCESS) could not start [/nonexistent/program]");
            });
    }

    @Test
    void commandAndShellTogetherFailStartup() {
        this.contextRunner.withUserConfiguration(GreeterEndpoint.class)
            .withPropertyValues("protoloop.endpoints.greeter.command=echo", "protoloop.endpoints.greeter.shell=echo")
            .run((context) -> assertThat(ProtocolEndpointPropertiesTests.invalid(context).getDescription())
                .contains("has both a command"));
    }

    /** Collects what the child writes to stdout. */
    static class Recorder implements SubprocessProtocol {

        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

        Recorder(TestProtocols.Instances instances) {
            instances.add(this);
        }

        synchronized String output() {
            return this.stdout.toString(StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void pipeDataReceived(int fd, ByteBuffer data) {
            if (fd == 1) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                this.stdout.writeBytes(bytes);
            }
        }

    }

    @ProtocolEndpoint(name = "sleeper", transport = TransportKind.SUBPROCESS, command = { "sleep", "30" })
    static class SleeperEndpoint extends Recorder {

        SleeperEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @ProtocolEndpoint(name = "parent", transport = TransportKind.SUBPROCESS, shell = "sleep 30 & echo $!; wait")
    static class ParentEndpoint extends Recorder {

        ParentEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @ProtocolEndpoint(name = "stubborn", transport = TransportKind.SUBPROCESS, shell = "trap '' TERM; echo ready; exec sleep 30")
    static class StubbornEndpoint extends Recorder {

        StubbornEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @ProtocolEndpoint(name = "greeter", transport = TransportKind.SUBPROCESS, command = { "echo", "${greeting:hello}" })
    static class GreeterEndpoint extends Recorder {

        GreeterEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

        static String output(TestProtocols.Instances instances) {
            await().atMost(Duration.ofSeconds(20)).until(() -> instances.created.stream()
                .allMatch((p) -> ((Recorder) p).stdout.size() > 0));
            StringBuilder text = new StringBuilder();
            instances.created.forEach((p) -> text.append(((Recorder) p).stdout.toString(StandardCharsets.UTF_8)));
            return text.toString();
        }

    }

    @ProtocolEndpoint(name = "failing", transport = TransportKind.SUBPROCESS, shell = "exit 3",
            restart = RestartPolicy.ON_FAILURE)
    static class FailingEndpoint extends Recorder {

        FailingEndpoint(TestProtocols.Instances instances) {
            super(instances);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class DefinitionConfiguration {

        @Bean
        EndpointDefinition definedEndpoint() {
            return EndpointDefinition.subprocess("defined", () -> new SubprocessProtocol() {
            }).shell("exit 7").build();
        }

    }

}
