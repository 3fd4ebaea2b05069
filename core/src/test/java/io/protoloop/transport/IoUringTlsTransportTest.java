package io.protoloop.transport;

import io.protoloop.LoopTransport;
import org.junit.jupiter.api.condition.EnabledIf;

/** The TLS suite on Linux native io_uring (where the kernel and seccomp allow it). */
@EnabledIf("io.protoloop.transport.IoUringTlsTransportTest#available")
class IoUringTlsTransportTest extends AbstractTlsTransportTest {

    static boolean available() {
        return io.netty.channel.uring.IoUring.isAvailable();
    }

    @Override
    protected LoopTransport engine() {
        return LoopTransport.IO_URING;
    }
}
