package io.protoloop.demo;

import io.protoloop.SubprocessOptions;
import io.protoloop.protocol.Protocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.transport.ReadTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.Transport;
import io.protoloop.transport.WriteTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Each connection gets its own child process (default {@code tr a-z A-Z}): the client's bytes go to
 * its stdin, its stdout comes back. The client's EOF closes the child's stdin; when the child has
 * exited and its output is flushed, the connection closes.
 *
 * <p>Flow control holds both ways: a client that does not read makes the socket pause writing, which
 * pauses reading the child's stdout (the child then blocks on a full pipe); a child that does not
 * read makes its stdin pause writing, which pauses reading the socket.
 */
@ProtocolEndpoint(name = "exec", host = "127.0.0.1", port = "8890")
public class ExecProtocol implements Protocol {

    private static final Logger LOG = LoggerFactory.getLogger(ExecProtocol.class);

    private final List<String> command;
    private Transport socket;
    private SubprocessTransport child;
    private boolean clientGone;

    public ExecProtocol(@Value("${protoloop.demo.exec.command:tr a-z A-Z}") String command) {
        this.command = List.of(command.trim().split("\\s+"));
    }

    @Override
    public void connectionMade(Transport transport) {
        this.socket = transport;
        // Nothing to feed until the child exists.
        socket.pauseReading();
        socket.loop().subprocessExec(ChildBridge::new, command, SubprocessOptions.DEFAULT)
                .whenComplete((connection, error) -> socket.loop().callSoon(() -> {
                    if (error != null) {
                        LOG.warn("exec: cannot start {}: {}", command, error.getMessage());
                        socket.write(("cannot start " + command + ": " + error.getMessage() + "\n").getBytes());
                        socket.close();
                        return;
                    }
                    child = connection.transport();
                    if (clientGone) {
                        child.close();
                    } else {
                        socket.resumeReading();
                    }
                }));
    }

    private WriteTransport stdin() {
        return (WriteTransport) child.getPipeTransport(0);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        stdin().write(data);
    }

    @Override
    public boolean eofReceived() {
        // The client is done sending: close the child's stdin, keep the socket open for its output.
        stdin().writeEof();
        return true;
    }

    @Override
    public void pauseWriting() {
        if (child != null) {
            ((ReadTransport) child.getPipeTransport(1)).pauseReading();
        }
    }

    @Override
    public void resumeWriting() {
        if (child != null) {
            ((ReadTransport) child.getPipeTransport(1)).resumeReading();
        }
    }

    @Override
    public void connectionLost(Throwable exc) {
        clientGone = true;
        if (child != null) {
            // close() kills a child that is still running.
            child.close();
        }
    }

    /** The child's side: its output to the socket, its stdin's flow control to the socket's reading. */
    private final class ChildBridge implements SubprocessProtocol {

        @Override
        public void pipeDataReceived(int fd, ByteBuffer data) {
            if (fd == 1) {
                socket.write(data);
            }
        }

        @Override
        public void pauseWriting() {
            socket.pauseReading();
        }

        @Override
        public void resumeWriting() {
            socket.resumeReading();
        }

        @Override
        public void connectionLost(Throwable exc) {
            // Exited and every pipe closed: flush what is buffered, then close the connection.
            socket.close();
        }
    }
}
