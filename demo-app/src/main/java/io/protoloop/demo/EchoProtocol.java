package io.protoloop.demo;

import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Echoes every byte back, in order. One instance per connection.
 *
 * <p>Flow control: when the peer does not read its echo fast enough, the transport's write buffer
 * goes over its high-water mark and protoloop calls {@link #pauseWriting()}; the protocol then stops
 * reading until {@link #resumeWriting()}, so memory stays bounded. When the peer half-closes,
 * {@link #eofReceived()} returns false: the transport flushes what it still holds and closes.
 */
public class EchoProtocol implements Protocol {

    private static final Logger log = LoggerFactory.getLogger(EchoProtocol.class);

    private Transport transport;

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
        log.debug("connection from {}", transport.<Object>getExtraInfo("peername"));
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        // The view is only valid during this call; write() takes its bytes before returning.
        transport.write(data);
    }

    @Override
    public boolean eofReceived() {
        return false;
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
    public void connectionLost(Throwable exc) {
        if (exc != null) {
            log.debug("connection lost: {}", exc.toString());
        }
    }
}
