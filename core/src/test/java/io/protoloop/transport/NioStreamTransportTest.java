package io.protoloop.transport;

import io.protoloop.LoopTransport;

/** The stream-transport conformance suite on the JDK NIO engine. */
class NioStreamTransportTest extends AbstractStreamTransportTest {

    @Override
    protected LoopTransport engine() {
        return LoopTransport.NIO;
    }
}
