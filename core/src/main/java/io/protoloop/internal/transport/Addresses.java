package io.protoloop.internal.transport;

import io.netty.channel.unix.DomainSocketAddress;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** Converts engine addresses to the JDK types the public API promises. */
final class Addresses {

    private Addresses() {
    }

    /** JDK form of {@code address}; an unnamed Unix peer is {@code null}. */
    static SocketAddress toJdk(SocketAddress address) {
        if (address instanceof DomainSocketAddress) {
            String path = ((DomainSocketAddress) address).path();
            return path == null || path.isEmpty() ? null : UnixDomainSocketAddress.of(path);
        }
        if (address instanceof UnixDomainSocketAddress
                && ((UnixDomainSocketAddress) address).getPath().toString().isEmpty()) {
            return null;
        }
        return address;
    }
}
