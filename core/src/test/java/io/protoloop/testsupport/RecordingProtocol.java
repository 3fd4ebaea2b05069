package io.protoloop.testsupport;

import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A protocol that records every callback (name and thread) and every received byte, for asserting
 * asyncio's callback order. Subclass and override to add behaviour; call super to keep recording.
 */
public class RecordingProtocol implements Protocol {

    public final List<String> events = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Transport> made = new CompletableFuture<>();
    public final CompletableFuture<Throwable> lost = new CompletableFuture<>();
    public final CompletableFuture<Void> eof = new CompletableFuture<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    public volatile Transport transport;
    public volatile boolean keepOpenOnEof;

    @Override
    public void connectionMade(Transport transport) {
        record("connectionMade");
        this.transport = transport;
        made.complete(transport);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        record("dataReceived");
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        synchronized (received) {
            received.write(bytes, 0, bytes.length);
        }
    }

    @Override
    public boolean eofReceived() {
        record("eofReceived");
        eof.complete(null);
        return keepOpenOnEof;
    }

    @Override
    public void connectionLost(Throwable exc) {
        record("connectionLost");
        lost.complete(exc);
    }

    @Override
    public void pauseWriting() {
        record("pauseWriting");
    }

    @Override
    public void resumeWriting() {
        record("resumeWriting");
    }

    protected void record(String event) {
        events.add(event);
        threads.add(Thread.currentThread().getName());
    }

    public byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    public int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    /** The events without repeated dataReceived entries, for order assertions. */
    public List<String> collapsedEvents() {
        List<String> out = new java.util.ArrayList<>();
        for (String e : events) {
            if (!(e.equals("dataReceived") && !out.isEmpty() && out.get(out.size() - 1).equals("dataReceived"))) {
                out.add(e);
            }
        }
        return out;
    }

    public Throwable awaitLost() throws Exception {
        return lost.get(10, TimeUnit.SECONDS);
    }

    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                assertThat(condition.getAsBoolean()).as("timed out waiting for " + what).isTrue();
            }
            Thread.sleep(2);
        }
    }
}
