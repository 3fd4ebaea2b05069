package io.protoloop.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Random;

/** Blocking-socket helpers for the client side of transport tests. */
public final class Sockets {

    private Sockets() {
    }

    public static Socket connect(SocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 10_000);
        s.setSoTimeout(20_000);
        return s;
    }

    public static int port(SocketAddress address) {
        return ((InetSocketAddress) address).getPort();
    }

    /** Reads exactly {@code n} bytes. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(out, off, n - off);
            if (r < 0) {
                throw new IOException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return out;
    }

    /** Reads until EOF. */
    public static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int r;
        while ((r = in.read(buf)) >= 0) {
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
