package io.protoloop.transport;

import io.protoloop.LoopTransport;
import org.junit.jupiter.api.condition.EnabledIf;

/** The server and connection suite on Linux native epoll. */
@EnabledIf("io.protoloop.transport.EpollServerAndConnectionTest#available")
class EpollServerAndConnectionTest extends AbstractServerAndConnectionTest {

    static boolean available() {
        return io.netty.channel.epoll.Epoll.isAvailable();
    }

    @Override
    protected LoopTransport engine() {
        return LoopTransport.EPOLL;
    }
}
