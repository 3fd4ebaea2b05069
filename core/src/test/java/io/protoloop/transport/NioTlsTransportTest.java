package io.protoloop.transport;

import io.protoloop.LoopTransport;

/** The TLS suite on the JDK NIO engine. */
class NioTlsTransportTest extends AbstractTlsTransportTest {

    @Override
    protected LoopTransport engine() {
        return LoopTransport.NIO;
    }
}
