package io.protoloop.transport;

import io.protoloop.LoopTransport;
import org.junit.jupiter.api.condition.EnabledIf;

/** The stream-transport conformance suite on Linux native epoll. */
@EnabledIf("io.protoloop.transport.EpollStreamTransportTest#available")
class EpollStreamTransportTest extends AbstractStreamTransportTest {

    static boolean available() {
        return io.netty.channel.epoll.Epoll.isAvailable();
    }

    @Override
    protected LoopTransport engine() {
        return LoopTransport.EPOLL;
    }
}
