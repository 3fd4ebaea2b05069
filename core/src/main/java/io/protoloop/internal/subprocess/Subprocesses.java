package io.protoloop.internal.subprocess;

import io.protoloop.Connection;
import io.protoloop.Redirect;
import io.protoloop.SubprocessOptions;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.internal.loop.MemberLoop;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.SubprocessTransport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Starts child processes: asyncio's {@code subprocess_exec} and {@code subprocess_shell}.
 *
 * <p>As in asyncio the protocol is created first (on the loop), then the child is started (here on a
 * {@link Spawner} thread), then the transport connects on the loop and the future completes after
 * {@code connectionMade}. A child that cannot be started fails the future and leaves the loop as it
 * was.
 */
public final class Subprocesses {

    /** asyncio's {@code shell=True}: {@code /bin/sh -c command}. */
    private static final String SHELL = "/bin/sh";

    private Subprocesses() {
    }

    public static <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> exec(
            AbstractLoop loop, Supplier<? extends P> factory, List<String> argv, SubprocessOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(argv, "argv");
        List<String> command = List.copyOf(argv);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("argv must name a program, was empty");
        }
        Objects.requireNonNull(options, "options");
        return start(loop, factory, command, command.toString(), options);
    }

    public static <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> shell(
            AbstractLoop loop, Supplier<? extends P> factory, String command, SubprocessOptions options) {
        Objects.requireNonNull(factory, "protocol factory must not be null");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        return start(loop, factory, List.of(SHELL, "-c", command), SHELL + " -c '" + command + "'", options);
    }

    private static <P extends SubprocessProtocol> CompletableFuture<Connection<SubprocessTransport, P>> start(
            AbstractLoop loop, Supplier<? extends P> factory, List<String> argv, String display,
            SubprocessOptions options) {
        ProcessBuilder builder = builder(argv, options);
        MemberLoop member = loop.nextMember();
        CompletableFuture<Connection<SubprocessTransport, P>> result = new CompletableFuture<>();
        try {
            member.runOnLoop(() -> {
                P protocol;
                try {
                    protocol = factory.get();
                    if (protocol == null) {
                        throw new IllegalStateException(
                                "the protocol factory returned null; it must return a new SubprocessProtocol");
                    }
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                    return;
                }
                Spawner.execute(() -> spawn(member, builder, argv, display, options, protocol, result));
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(closed(e));
        }
        return result;
    }

    /** On a spawner thread: start the child, hand the transport to the loop. */
    private static <P extends SubprocessProtocol> void spawn(MemberLoop member, ProcessBuilder builder,
            List<String> argv, String display, SubprocessOptions options, P protocol,
            CompletableFuture<Connection<SubprocessTransport, P>> result) {
        Process process;
        try {
            process = builder.start();
        } catch (Throwable t) {
            result.completeExceptionally(LaunchErrors.of(argv, options.cwd(), t));
            return;
        }
        ChildTransport transport = null;
        try {
            transport = new ChildTransport(member, process, display, protocol, options);
            transport.startReaders();
        } catch (Throwable t) {
            // e.g. no thread could be created for a pipe: the child must not outlive the failure, and
            // reader threads already started (paused) must end too.
            if (transport != null) {
                transport.abortOnLoopClose();
            } else {
                process.toHandle().destroyForcibly();
            }
            result.completeExceptionally(new IOException("cannot set up " + display + " (process " + process.pid()
                    + ", killed): " + t, t));
            return;
        }
        ChildTransport child = transport;
        // Registered before the closed check: a loop closing now either sees it or is seen here.
        member.runtime().register(child);
        try {
            if (member.isClosed()) {
                throw new RejectedExecutionException("closed");
            }
            member.netty().execute(() -> child.connect(result, protocol));
        } catch (RejectedExecutionException e) {
            child.abortOnLoopClose();
            result.completeExceptionally(closed(e));
            return;
        }
        // After connect was posted, so the exit reaches the loop after connectionMade.
        child.watchExit();
    }

    private static ProcessBuilder builder(List<String> argv, SubprocessOptions options) {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.redirectInput(options.stdinFile() != null ? ProcessBuilder.Redirect.from(options.stdinFile().toFile())
                : input(options.stdin()));
        builder.redirectOutput(options.stdoutFile() != null ? ProcessBuilder.Redirect.to(options.stdoutFile().toFile())
                : output(options.stdout()));
        if (options.stderr() == Redirect.STDOUT) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(options.stderrFile() != null
                    ? ProcessBuilder.Redirect.to(options.stderrFile().toFile()) : output(options.stderr()));
        }
        Path cwd = options.cwd();
        if (cwd != null) {
            builder.directory(cwd.toFile());
        }
        Map<String, String> env = options.env();
        if (env != null) {
            Map<String, String> environment = builder.environment();
            environment.clear();
            environment.putAll(env);
        }
        return builder;
    }

    private static ProcessBuilder.Redirect input(Redirect redirect) {
        switch (redirect) {
            case PIPE:
                return ProcessBuilder.Redirect.PIPE;
            case DEVNULL:
                return ProcessBuilder.Redirect.from(new File("/dev/null"));
            case INHERIT:
                return ProcessBuilder.Redirect.INHERIT;
            default:
                throw new IllegalArgumentException("stdin cannot be " + redirect);
        }
    }

    private static ProcessBuilder.Redirect output(Redirect redirect) {
        switch (redirect) {
            case PIPE:
                return ProcessBuilder.Redirect.PIPE;
            case DEVNULL:
                return ProcessBuilder.Redirect.DISCARD;
            case INHERIT:
                return ProcessBuilder.Redirect.INHERIT;
            default:
                throw new IllegalArgumentException("stdout cannot be " + redirect);
        }
    }

    private static IllegalStateException closed(RejectedExecutionException cause) {
        return new IllegalStateException("the event loop is closed", cause);
    }
}
