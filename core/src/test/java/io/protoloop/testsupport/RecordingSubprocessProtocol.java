package io.protoloop.testsupport;

import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.transport.SubprocessTransport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A subprocess protocol that records every callback (name and thread) and the bytes of each output
 * pipe. Subclass and override to add behaviour; call super to keep recording.
 */
public class RecordingSubprocessProtocol implements SubprocessProtocol {

    public final List<String> events = new CopyOnWriteArrayList<>();
    public final List<String> threads = new CopyOnWriteArrayList<>();
    public final CompletableFuture<SubprocessTransport> made = new CompletableFuture<>();
    public final CompletableFuture<Void> exited = new CompletableFuture<>();
    public final CompletableFuture<Throwable> lost = new CompletableFuture<>();
    @SuppressWarnings("unchecked")
    public final CompletableFuture<Throwable>[] pipeLost = new CompletableFuture[] {
            new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>()};
    private final ByteArrayOutputStream[] received = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    public volatile SubprocessTransport transport;

    @Override
    public void connectionMade(SubprocessTransport transport) {
        record("connectionMade");
        this.transport = transport;
        made.complete(transport);
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        record("pipeDataReceived" + fd);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        synchronized (received) {
            received[fd].write(bytes, 0, bytes.length);
        }
    }

    @Override
    public void pipeConnectionLost(int fd, Throwable exc) {
        record("pipeConnectionLost" + fd);
        pipeLost[fd].complete(exc);
    }

    @Override
    public void processExited() {
        record("processExited");
        exited.complete(null);
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

    public byte[] received(int fd) {
        synchronized (received) {
            return received[fd].toByteArray();
        }
    }

    public String output(int fd) {
        return new String(received(fd), StandardCharsets.UTF_8);
    }

    /** The events without repeats of the same pipeDataReceived entry, for order assertions. */
    public List<String> collapsedEvents() {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (!(e.startsWith("pipeDataReceived") && !out.isEmpty() && out.get(out.size() - 1).equals(e))) {
                out.add(e);
            }
        }
        return out;
    }

    /** Waits for {@code connectionLost} and returns its argument. */
    public Throwable awaitLost() throws Exception {
        return lost.get(30, TimeUnit.SECONDS);
    }
}
