package io.protoloop.transport;

import io.protoloop.LoopTransport;

/** The datagram-transport conformance suite on the JDK NIO engine. */
class NioDatagramTransportTest extends AbstractDatagramTransportTest {

    @Override
    protected LoopTransport engine() {
        return LoopTransport.NIO;
    }
}
