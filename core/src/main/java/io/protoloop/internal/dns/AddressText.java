package io.protoloop.internal.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP literals as glibc reads and writes them: what counts as numeric for {@code AI_NUMERICHOST},
 * and the text {@code NI_NUMERICHOST} gives (RFC 5952 {@code ::1}, where the JDK writes
 * {@code 0:0:0:0:0:0:0:1}).
 */
final class AddressText {

    private AddressText() {
    }

    /**
     * {@code host} as an address when it is an IP literal (dotted-quad IPv4, or IPv6 with an optional
     * {@code %scope}), else null. Never looks anything up.
     */
    static InetAddress parseLiteral(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.indexOf(':') >= 0) {
            // The JDK parses a host with ':' as an IPv6 literal and never resolves it, provided it
            // starts like one (otherwise it would try DNS).
            char first = host.charAt(0);
            if (first != ':' && Character.digit(first, 16) < 0) {
                return null;
            }
            try {
                InetAddress address = InetAddress.getByName(host);
                return address instanceof Inet6Address ? address : null;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }

    /** The numeric form of {@code address}, as {@code inet_ntop} (and Python) write it. */
    static String numeric(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        Inet6Address v6 = (Inet6Address) address;
        String text = compress(v6.getAddress());
        if (v6.getScopedInterface() != null) {
            return text + "%" + v6.getScopedInterface().getName();
        }
        return v6.getScopeId() != 0 ? text + "%" + v6.getScopeId() : text;
    }

    /** RFC 5952: lowercase, no leading zeros, the first longest run of two or more zero groups as "::". */
    static String compress(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
