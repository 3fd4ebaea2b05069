package io.protoloop.transport;

import io.protoloop.LoopTransport;
import org.junit.jupiter.api.condition.EnabledIf;

/** The datagram-transport conformance suite on Linux native io_uring (where the kernel and seccomp allow it). */
@EnabledIf("io.protoloop.transport.IoUringDatagramTransportTest#available")
class IoUringDatagramTransportTest extends AbstractDatagramTransportTest {

    static boolean available() {
        return io.netty.channel.uring.IoUring.isAvailable();
    }

    @Override
    protected LoopTransport engine() {
        return LoopTransport.IO_URING;
    }
}
