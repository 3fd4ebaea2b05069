package io.protoloop.demo;

import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.DatagramTransport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** The seed's UDP echo server: each datagram (0 to 65,507 bytes) goes back to its sender. */
@ProtocolEndpoint(name = "udp-echo", transport = TransportKind.UDP, host = "127.0.0.1", port = "9999")
public class UdpEchoProtocol implements DatagramProtocol {

    private DatagramTransport transport;

    @Override
    public void connectionMade(DatagramTransport transport) {
        this.transport = transport;
    }

    @Override
    public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
        transport.sendto(data, addr);
    }
}
