package io.protoloop.internal.transport;

import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/** Checks on what protocol factories, setProtocol callers and buffered protocols hand us. */
public final class Protocols {

    private Protocols() {
    }

    static BaseProtocol<Transport> create(Supplier<? extends BaseProtocol<Transport>> factory) {
        BaseProtocol<Transport> protocol = factory.get();
        if (protocol == null) {
            throw new IllegalStateException(
                    "the protocol factory returned null; it must return a new Protocol or BufferedProtocol");
        }
        return requireStream(protocol);
    }

    @SuppressWarnings("unchecked")
    static BaseProtocol<Transport> requireStream(BaseProtocol<?> protocol) {
        if (protocol instanceof Protocol || protocol instanceof BufferedProtocol) {
            return (BaseProtocol<Transport>) protocol;
        }
        throw new IllegalArgumentException((protocol == null ? "null" : protocol.getClass().getName())
                + " is neither a Protocol nor a BufferedProtocol: a stream transport needs one of them");
    }

    /**
     * {@code protocol} as the {@code type} a transport of {@code kind} drives, for its
     * {@code setProtocol}; an {@link IllegalArgumentException} naming both otherwise.
     */
    public static <P> P require(BaseProtocol<?> protocol, Class<P> type, String kind) {
        if (type.isInstance(protocol)) {
            return type.cast(protocol);
        }
        throw new IllegalArgumentException((protocol == null ? "null" : protocol.getClass().getName())
                + " is not a " + type.getSimpleName() + ": a " + kind + " transport needs one");
    }

    static ByteBuffer bufferFrom(BufferedProtocol protocol, int sizehint) {
        ByteBuffer buffer = protocol.getBuffer(sizehint);
        if (buffer == null || !buffer.hasRemaining()) {
            throw new IllegalStateException("getBuffer() returned an empty buffer");
        }
        if (buffer.isReadOnly()) {
            throw new IllegalStateException("getBuffer() returned a read-only buffer");
        }
        return buffer;
    }
}
