package io.protoloop.spring.autoconfigure;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.Transport;

/**
 * Protocols the tests serve. Each records its instances in an injected {@link Instances} bean, which
 * shows that every connection (or endpoint, or process) gets its own injected protocol.
 */
final class TestProtocols {

    private TestProtocols() {
    }

    /** Collects protocol instances; a bean the protocols get injected. */
    static final class Instances {

        final Set<Object> created = ConcurrentHashMap.newKeySet();

        void add(Object protocol) {
            this.created.add(protocol);
        }

        int count() {
            return this.created.size();
        }

    }

    /** Writes back what it receives; asyncio's echo server example. */
    static class Echo implements Protocol {

        private Transport transport;

        Echo(Instances instances) {
            instances.add(this);
        }

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            this.transport.write(data);
        }

    }

    /** Sends every datagram back to its sender; asyncio's UDP echo server example. */
    static class DatagramEcho implements DatagramProtocol {

        private DatagramTransport transport;

        DatagramEcho(Instances instances) {
            instances.add(this);
        }

        @Override
        public void connectionMade(DatagramTransport transport) {
            this.transport = transport;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
            this.transport.sendto(data, addr);
        }

    }

}
