package io.protoloop.transport;

import io.protoloop.LoopTransport;
import org.junit.jupiter.api.condition.EnabledIf;

/** The datagram-transport conformance suite on Linux native epoll. */
@EnabledIf("io.protoloop.transport.EpollDatagramTransportTest#available")
class EpollDatagramTransportTest extends AbstractDatagramTransportTest {

    static boolean available() {
        return io.netty.channel.epoll.Epoll.isAvailable();
    }

    @Override
    protected LoopTransport engine() {
        return LoopTransport.EPOLL;
    }
}
