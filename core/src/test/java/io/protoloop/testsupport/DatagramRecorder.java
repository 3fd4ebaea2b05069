package io.protoloop.testsupport;

import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.transport.DatagramTransport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records datagrams (copied), their senders, errors and the lifecycle of a datagram protocol. */
public class DatagramRecorder implements DatagramProtocol {
    public final List<byte[]> datagrams = new CopyOnWriteArrayList<>();
    public final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();
    public final List<IOException> errors = new CopyOnWriteArrayList<>();
    public final List<String> events = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Throwable> lost = new CompletableFuture<>();
    public volatile DatagramTransport transport;

    @Override
    public void connectionMade(DatagramTransport transport) {
        this.transport = transport;
        events.add("connectionMade");
    }

    @Override
    public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        datagrams.add(b);
        senders.add(addr);
    }

    @Override
    public void errorReceived(IOException exc) {
        errors.add(exc);
        events.add("errorReceived");
    }

    @Override
    public void pauseWriting() {
        events.add("pauseWriting");
    }

    @Override
    public void resumeWriting() {
        events.add("resumeWriting");
    }

    @Override
    public void connectionLost(Throwable exc) {
        events.add("connectionLost");
        lost.complete(exc);
    }
}
