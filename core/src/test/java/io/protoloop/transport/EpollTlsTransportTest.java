package io.protoloop.transport;

import io.protoloop.LoopTransport;
import org.junit.jupiter.api.condition.EnabledIf;

/** The TLS suite on Linux native epoll. */
@EnabledIf("io.protoloop.transport.EpollTlsTransportTest#available")
class EpollTlsTransportTest extends AbstractTlsTransportTest {

    static boolean available() {
        return io.netty.channel.epoll.Epoll.isAvailable();
    }

    @Override
    protected LoopTransport engine() {
        return LoopTransport.EPOLL;
    }
}
