package io.protoloop.internal.transport;

import io.netty.handler.codec.DecoderException;
import io.protoloop.transport.Cipher;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/** The TLS side of a stream transport: asyncio's SSL extra-info keys and error unwrapping. */
final class Tls {

    private Tls() {
    }

    /** Netty wraps TLS errors in a DecoderException; protocols get the JDK's SSLException. */
    static Throwable unwrap(Throwable t) {
        return t instanceof DecoderException && t.getCause() != null ? t.getCause() : t;
    }

    /**
     * asyncio's {@code get_extra_info} keys of an SSL transport: {@code sslcontext},
     * {@code ssl_object} (the {@link SSLSession}), {@code cipher}, {@code peercert},
     * {@code compression} (always null: TLS compression is disabled everywhere).
     */
    @SuppressWarnings("unchecked")
    static <T> T extraInfo(TlsLayer tls, String name, T defaultValue) {
        SSLSession session = tls.handler().engine().getSession();
        switch (name) {
            case "sslcontext":
                return (T) tls.context();
            case "ssl_object":
                return (T) session;
            case "cipher":
                return (T) new Cipher(session.getCipherSuite(), session.getProtocol(), secretBits(session.getCipherSuite()));
            case "peercert":
                return (T) peerCertificate(session);
            case "compression":
                return null;
            default:
                return defaultValue;
        }
    }

    private static X509Certificate peerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate ? (X509Certificate) chain[0] : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The key length the suite name states (the JDK has no API for it). */
    static int secretBits(String suite) {
        if (suite == null) {
            return 0;
        }
        if (suite.contains("_256_") || suite.contains("CHACHA20")) {
            return 256;
        }
        if (suite.contains("_128_")) {
            return 128;
        }
        return 0;
    }
}
