package io.protoloop.transport;

import io.protoloop.LoopTransport;

/** The server and connection suite on the JDK NIO engine. */
class NioServerAndConnectionTest extends AbstractServerAndConnectionTest {

    @Override
    protected LoopTransport engine() {
        return LoopTransport.NIO;
    }
}
