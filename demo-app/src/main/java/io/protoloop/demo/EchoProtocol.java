package io.protoloop.demo;

import io.protoloop.protocol.Protocol;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.transport.Transport;

import java.nio.ByteBuffer;

/**
 * The seed's TCP echo server, kept open: every byte goes back in order.
 *
 * <p>Flow control is coupled: when the transport's write buffer goes over its high-water mark (the
 * client sends but does not read), reading pauses, so the server never buffers without bound; it
 * resumes when the buffer drains. On EOF, {@code eofReceived} returns false: what is buffered is
 * flushed, then the connection closes.
 */
@ProtocolEndpoint(name = "echo", host = "127.0.0.1", port = "8888")
public class EchoProtocol implements Protocol {

    private Transport transport;

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        // Writing the received view back lets the transport send it without a copy.
        transport.write(data);
    }

    @Override
    public void pauseWriting() {
        transport.pauseReading();
    }

    @Override
    public void resumeWriting() {
        transport.resumeReading();
    }

    @Override
    public boolean eofReceived() {
        return false;
    }
}
