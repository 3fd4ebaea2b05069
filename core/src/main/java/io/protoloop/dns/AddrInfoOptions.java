package io.protoloop.dns;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The keyword arguments of asyncio's {@code loop.getaddrinfo(host, port, *, family=0, type=0,
 * proto=0, flags=0)}: {@code AddrInfoOptions.builder().family(AddressFamily.INET).type(SocketType.STREAM).build()}.
 *
 * @param family what to return: {@link AddressFamily#UNSPEC} (Python's 0) for every family
 * @param type   the socket type to return, or {@code null} (Python's 0) for every type: each address
 *               is then listed once per type, stream, datagram and raw, as glibc does
 * @param proto  the protocol number, 0 for any; 6 ({@code IPPROTO_TCP}) or 17 ({@code IPPROTO_UDP})
 *               without a type selects the matching type
 * @param flags  the {@code AI_*} flags
 */
public record AddrInfoOptions(AddressFamily family, SocketType type, int proto, Set<AddrInfoFlag> flags) {

    /** Python's defaults: every family, every type, any protocol, no flags. */
    public static final AddrInfoOptions DEFAULT = builder().build();

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException when {@code proto} is negative, or does not fit {@code type}
     *                                  (Python's {@code gaierror: ai_socktype not supported})
     */
    public AddrInfoOptions {
        Objects.requireNonNull(family, "family");
        flags = Set.copyOf(Objects.requireNonNull(flags, "flags"));
        if (proto < 0) {
            throw new IllegalArgumentException("proto must not be negative, was " + proto);
        }
        if (proto != 0 && type != null && type != SocketType.RAW && proto != type.proto()) {
            throw new IllegalArgumentException("proto " + proto + " does not fit socket type " + type
                    + " (expected 0 or " + type.proto() + ")");
        }
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code flag} is set. */
    public boolean has(AddrInfoFlag flag) {
        return flags.contains(flag);
    }

    /** A builder for {@link AddrInfoOptions}. */
    public static final class Builder {
        private AddressFamily family = AddressFamily.UNSPEC;
        private SocketType type;
        private int proto;
        private final EnumSet<AddrInfoFlag> flags = EnumSet.noneOf(AddrInfoFlag.class);

        private Builder() {
        }

        /** {@code family=}: which address family to return. */
        public Builder family(AddressFamily family) {
            this.family = family;
            return this;
        }

        /** {@code type=}: which socket type to return; {@code null} for every type. */
        public Builder type(SocketType type) {
            this.type = type;
            return this;
        }

        /** {@code proto=}: the protocol number, 0 for any. */
        public Builder proto(int proto) {
            this.proto = proto;
            return this;
        }

        /** {@code flags=}: adds {@code flags} to the ones already set. */
        public Builder flags(AddrInfoFlag... flags) {
            for (AddrInfoFlag flag : flags) {
                this.flags.add(Objects.requireNonNull(flag, "flag"));
            }
            return this;
        }

        /** The options. */
        public AddrInfoOptions build() {
            return new AddrInfoOptions(family, type, proto, flags);
        }
    }
}
