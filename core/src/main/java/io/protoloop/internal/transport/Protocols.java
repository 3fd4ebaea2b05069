package io.protoloop.internal.transport;

import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.Transport;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/** Checks on what protocol factories and buffered protocols hand us. */
final class Protocols {

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
