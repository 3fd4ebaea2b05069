package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.Redirect;
import io.protoloop.SubprocessOptions;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.testsupport.RecordingSubprocessProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** asyncio's subprocess transport and protocol semantics, with real children. */
class SubprocessTransportTest extends SubprocessTestBase {

    /**
     * The seed's {@code loop.subprocess_exec()} example: collect stdout in {@code pipeDataReceived},
     * complete a future in {@code processExited}, then close the transport and read the output.
     */
    @Test
    void getsTheDateAsTheSeedExampleDoes() throws Exception {
        class DateProtocol implements SubprocessProtocol {
            final CompletableFuture<Boolean> exitFuture;
            final ByteArrayOutputStream output = new ByteArrayOutputStream();

            DateProtocol(CompletableFuture<Boolean> exitFuture) {
                this.exitFuture = exitFuture;
            }

            @Override
            public void pipeDataReceived(int fd, ByteBuffer data) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                output.writeBytes(bytes);
            }

            @Override
            public void processExited() {
                exitFuture.complete(true);
            }
        }
        CompletableFuture<Boolean> exitFuture = loop.createFuture();
        Connection<SubprocessTransport, DateProtocol> c = loop.subprocessExec(() -> new DateProtocol(exitFuture),
                List.of("date", "+%Y-%m-%d %H:%M:%S"),
                SubprocessOptions.builder().stdin(Redirect.INHERIT).stderr(Redirect.INHERIT).build())
                .get(10, TimeUnit.SECONDS);

        exitFuture.get(10, TimeUnit.SECONDS);
        c.transport().close();
        String date = c.protocol().output.toString(StandardCharsets.US_ASCII).strip();

        assertThat(date).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
        assertThat(c.transport().getReturncode()).isZero();
    }

    @Test
    void keepsStdoutAndStderrApartAndReportsEveryPipe() throws Exception {
        RecordingSubprocessProtocol p = shell("printf out; printf err >&2; printf more");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("outmore");
        assertThat(p.output(2)).isEqualTo("err");
        assertThat(p.transport.getReturncode()).isZero();
        List<String> events = p.collapsedEvents();
        assertThat(events.get(0)).isEqualTo("connectionMade");
        assertThat(events.get(events.size() - 1)).isEqualTo("connectionLost");
        assertThat(events).containsOnlyOnce("processExited", "pipeConnectionLost0", "pipeConnectionLost1",
                "pipeConnectionLost2");
        for (int fd = 0; fd < 3; fd++) {
            assertThat(p.pipeLost[fd].get()).as("pipeConnectionLost(%d)", fd).isNull();
        }
        // Output of a pipe always comes before that pipe's loss.
        assertThat(events.lastIndexOf("pipeDataReceived1")).isLessThan(events.indexOf("pipeConnectionLost1"));
        assertThat(events.lastIndexOf("pipeDataReceived2")).isLessThan(events.indexOf("pipeConnectionLost2"));
        assertThat(p.threads).allSatisfy(t -> assertThat(t).startsWith("protoloop-").doesNotStartWith("protoloop-pipe"));
        assertThat(handled).isEmpty();
        assertNothingLeft(p);
    }

    @Test
    void reportsTheExitCode() throws Exception {
        RecordingSubprocessProtocol p = shell("exit 3");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.transport.getReturncode()).isEqualTo(3);
    }

    @Test
    void returncodeIsNullWhileRunning() throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");

        assertThat(p.transport.getReturncode()).isNull();
        assertThat(p.transport.isClosing()).isFalse();
        assertThatThrownBy(() -> p.transport.setProtocol(new io.protoloop.testsupport.RecordingProtocol()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a SubprocessProtocol");
        p.transport.close();
        assertThat(p.awaitLost()).isNull();
        assertThat(p.transport.isClosing()).isTrue();
    }

    @Test
    void connectionMadeComesFirstEvenWhenTheChildIsAlreadyGone() throws Exception {
        for (int i = 0; i < 20; i++) {
            RecordingSubprocessProtocol p = exec("true");
            assertThat(p.awaitLost()).isNull();
            assertThat(p.events.get(0)).isEqualTo("connectionMade");
            assertThat(p.events).hasSize(6);
        }
    }

    @Test
    void writesToStdinAndSeesTheEcho() throws Exception {
        RecordingSubprocessProtocol p = exec("cat");
        WriteTransport stdin = (WriteTransport) p.transport.getPipeTransport(0);

        stdin.write("hello ".getBytes(StandardCharsets.UTF_8));
        stdin.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.UTF_8)));
        stdin.writeEof();

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("hello world");
        assertThat(p.pipeLost[0].get()).isNull();
        assertThat(stdin.isClosing()).isTrue();
    }

    @Test
    void shellRunsThroughBinSh() throws Exception {
        RecordingSubprocessProtocol p = shell("echo hello | tr a-z A-Z");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("HELLO\n");
    }

    @Test
    void pipeTransportsMatchTheRedirects() throws Exception {
        RecordingSubprocessProtocol piped = exec("true");
        assertThat(piped.transport.getPipeTransport(0)).isInstanceOf(WriteTransport.class)
                .isNotInstanceOf(ReadTransport.class);
        assertThat(piped.transport.getPipeTransport(1)).isInstanceOf(ReadTransport.class);
        assertThat(piped.transport.getPipeTransport(2)).isInstanceOf(ReadTransport.class);
        assertThat(piped.transport.getPipeTransport(3)).isNull();
        assertThat(piped.transport.getPipeTransport(-1)).isNull();
        assertThat(((WriteTransport) piped.transport.getPipeTransport(0)).getWriteBufferLimits())
                .isEqualTo(WriteBufferLimits.DEFAULT);

        RecordingSubprocessProtocol none = exec(RecordingSubprocessProtocol::new, SubprocessOptions.builder()
                .stdin(Redirect.DEVNULL).stdout(Redirect.DEVNULL).stderr(Redirect.INHERIT).build(), "true");
        assertThat(none.awaitLost()).isNull();
        for (int fd = 0; fd < 3; fd++) {
            assertThat(none.transport.getPipeTransport(fd)).isNull();
        }
        assertThat(none.events).containsExactly("connectionMade", "processExited", "connectionLost");
        assertThat(piped.awaitLost()).isNull();
    }

    @Test
    void stderrCanGoIntoStdout() throws Exception {
        RecordingSubprocessProtocol p = exec(RecordingSubprocessProtocol::new,
                SubprocessOptions.builder().stderr(Redirect.STDOUT).build(), "sh", "-c", "printf a; printf b >&2");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("ab");
        assertThat(p.transport.getPipeTransport(2)).isNull();
        assertThat(p.events).doesNotContain("pipeConnectionLost2", "pipeDataReceived2");
    }

    @Test
    void readsAndWritesFiles(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in.txt"), "from a file");
        Path out = dir.resolve("out.txt");
        Files.writeString(out, "old content that must be truncated away");
        RecordingSubprocessProtocol p = exec(RecordingSubprocessProtocol::new, SubprocessOptions.builder()
                .stdin(in).stdout(out).stderr(Redirect.DEVNULL).build(), "sh", "-c", "cat; echo oops >&2");

        assertThat(p.awaitLost()).isNull();
        assertThat(Files.readString(out)).isEqualTo("from a file");
        assertThat(p.events).containsExactly("connectionMade", "processExited", "connectionLost");
    }

    @Test
    void runsInTheWorkingDirectoryWithTheGivenEnvironment(@TempDir Path dir) throws Exception {
        RecordingSubprocessProtocol p = exec(RecordingSubprocessProtocol::new, SubprocessOptions.builder()
                        .cwd(dir).env(Map.of("GREETING", "hi")).build(),
                "/bin/sh", "-c", "echo \"$GREETING:${HOME:-unset}\"; pwd -P");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("hi:unset\n" + dir.toRealPath() + "\n");
    }

    @Test
    void inheritsTheEnvironmentByDefault() throws Exception {
        RecordingSubprocessProtocol p = shell("echo \"$PATH\"");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1).strip()).isEqualTo(System.getenv("PATH"));
    }

    @Test
    void extraInfoSubprocessIsTheProcessHandle() throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");

        ProcessHandle handle = p.transport.getExtraInfo("subprocess");
        assertThat(handle.pid()).isEqualTo(p.transport.getPid());
        assertThat(handle.isAlive()).isTrue();
        assertThat(p.transport.<Object>getExtraInfo("peername")).isNull();
        assertThat(p.transport.getExtraInfo("peername", "none")).isEqualTo("none");
        assertThat(p.transport.getPipeTransport(1).<Object>getExtraInfo("pipe")).isNotNull();
        p.transport.close();
        assertThat(p.awaitLost()).isNull();
    }

    @Test
    void aThrowingPipeDataReceivedGoesToTheHandlerAndClosesNothing() throws Exception {
        RecordingSubprocessProtocol p = exec(() -> new RecordingSubprocessProtocol() {
            @Override
            public void pipeDataReceived(int fd, ByteBuffer data) {
                super.pipeDataReceived(fd, data);
                if (fd == 1) {
                    throw new IllegalStateException("boom");
                }
            }
        }, SubprocessOptions.DEFAULT, "sh", "-c", "printf one; sleep 0.05; printf two >&2; sleep 0.05; printf three");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("onethree");
        assertThat(p.output(2)).isEqualTo("two");
        assertThat(handled).isNotEmpty().allSatisfy(context -> {
            assertThat(context.get("message")).isEqualTo("protocol.pipeDataReceived() failed");
            assertThat(context.get("exception")).isInstanceOf(IllegalStateException.class);
            assertThat(context.get("transport")).isSameAs(p.transport);
        });
    }

    @Test
    void readPipesRefuseToWrite() throws Exception {
        RecordingSubprocessProtocol p = exec("sleep", "30");
        Transport stdout = (Transport) p.transport.getPipeTransport(1);

        assertThatThrownBy(() -> stdout.write(new byte[1])).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("stdout of process " + p.transport.getPid())
                .hasMessageContaining("read end of a pipe");
        assertThatThrownBy(stdout::writeEof).isInstanceOf(UnsupportedOperationException.class);
        assertThat(stdout.canWriteEof()).isFalse();
        assertThat(stdout.getWriteBufferSize()).isZero();
        assertThat(stdout.isReading()).isTrue();
        p.transport.close();
        assertThat(p.awaitLost()).isNull();
        assertThat(stdout.isReading()).isFalse();
        // Set right after connectionLost returns (as asyncio does), so it may take a moment to see here.
        await(() -> stdout.getProtocol() == null && p.transport.getProtocol() == null, "the protocols detached");
    }

    @Test
    void stdinIsLostWithTheChildEvenWhenNeverWritten() throws Exception {
        RecordingSubprocessProtocol p = exec("true");

        assertThat(p.awaitLost()).isNull();
        assertThat(p.pipeLost[0].get()).isNull();
        assertThat(p.transport.getPipeTransport(0).isClosing()).isTrue();
    }

    @Test
    void unwrittenStdinWhenTheChildExitsIsABrokenPipe() throws Exception {
        // head takes one byte and exits; 4 MiB cannot all fit in the pipe, so the writer is cut off.
        RecordingSubprocessProtocol p = exec("head", "-c", "1");
        WriteTransport stdin = (WriteTransport) p.transport.getPipeTransport(0);
        stdin.write(new byte[4 * 1024 * 1024]);

        assertThat(p.awaitLost()).isNull();
        assertThat(p.pipeLost[0].get()).isInstanceOf(IOException.class)
                .hasMessageContaining("Broken pipe")
                .hasMessageContaining("stdin of process " + p.transport.getPid());
        assertThat(p.transport.getReturncode()).isZero();
        assertThat(handled).isEmpty();
        assertNothingLeft(p);
    }

    @Test
    void writesAfterStdinClosedAreDropped() throws Exception {
        RecordingSubprocessProtocol p = exec("cat");
        WriteTransport stdin = (WriteTransport) p.transport.getPipeTransport(0);
        stdin.write("kept".getBytes(StandardCharsets.UTF_8));
        stdin.close();
        for (int i = 0; i < 6; i++) {
            stdin.write("dropped".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(p.awaitLost()).isNull();
        assertThat(p.output(1)).isEqualTo("kept");
        assertThat(handled).isEmpty();
    }
}
