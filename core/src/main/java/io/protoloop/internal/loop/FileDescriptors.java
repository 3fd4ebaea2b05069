package io.protoloop.internal.loop;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;

/**
 * Reads the file descriptor number of a JDK channel: to hand an accepted {@link SocketChannel} to a
 * native engine, or to issue one syscall the JDK will not make (a zero-length datagram on a connected
 * socket).
 *
 * <p>Why this way: the JDK offers no public accessor and reflection into {@code sun.nio.ch} needs
 * {@code --add-opens}, which a starter cannot set. {@code sun.misc.Unsafe} (module
 * {@code jdk.unsupported}, exported) reads the private {@code fdVal} field without opening the
 * module; Netty itself relies on the same class. After {@link #detach} the JDK object must not be
 * used or closed again: the descriptor belongs to the engine.
 */
final class FileDescriptors {

    private FileDescriptors() {
    }

    static int detach(SocketChannel channel) throws IOException {
        if (!channel.isConnected()) {
            throw new IOException("the socket channel is not connected");
        }
        // The engine expects a non-blocking descriptor, as an accepted Netty channel would be.
        channel.configureBlocking(false);
        return fdVal(channel);
    }

    /** The descriptor of {@code channel}, which keeps owning it (read only, for a syscall on it). */
    static int of(DatagramChannel channel) throws IOException {
        return fdVal(channel);
    }

    private static int fdVal(AbstractSelectableChannel channel) throws IOException {
        if (!channel.isOpen()) {
            throw new IOException("the channel is closed");
        }
        try {
            Field unsafeField = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            unsafeField.setAccessible(true);
            sun.misc.Unsafe unsafe = (sun.misc.Unsafe) unsafeField.get(null);
            Field fdVal = findField(channel.getClass(), "fdVal");
            @SuppressWarnings("deprecation")
            long offset = unsafe.objectFieldOffset(fdVal);
            int fd = unsafe.getInt(channel, offset);
            if (fd < 0) {
                throw new IOException("the socket channel has no file descriptor");
            }
            return fd;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot take the file descriptor of " + channel.getClass().getName()
                    + " on this JVM; run the loop with protoloop.loop.transport=nio (LoopTransport.NIO)", e);
        }
    }

    private static Field findField(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException ignored) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}
