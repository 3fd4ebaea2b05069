package io.protoloop.testsupport;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A throw-away PKI made when the tests run: a root CA, a server certificate for localhost and
 * 127.0.0.1, a client certificate, and a second, unrelated CA. No key material is checked in.
 */
public final class TestPki {

    private static TestPki instance;

    public final X509Bundle ca;
    public final X509Bundle server;
    public final X509Bundle client;
    public final X509Bundle otherCa;

    private TestPki() throws Exception {
        Instant now = Instant.now();
        CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
                .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
        ca = base.copy().subject("CN=protoloop test CA").setIsCertificateAuthority(true).buildSelfSigned();
        otherCa = base.copy().subject("CN=someone else's CA").setIsCertificateAuthority(true).buildSelfSigned();
        server = base.copy().subject("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
        client = base.copy().subject("CN=protoloop test client").addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
    }

    public static synchronized TestPki get() throws Exception {
        if (instance == null) {
            instance = new TestPki();
        }
        return instance;
    }

    /** A server context presenting the server certificate and trusting the CA (for client certificates). */
    public SSLContext serverContext() throws Exception {
        return context(server, ca);
    }

    /** A client context trusting the CA, without a client certificate. */
    public SSLContext clientContext() throws Exception {
        return context(null, ca);
    }

    /** A client context trusting the CA and presenting the client certificate. */
    public SSLContext clientContextWithCertificate() throws Exception {
        return context(client, ca);
    }

    /** A client context trusting only an unrelated CA. */
    public SSLContext clientContextTrustingOtherCa() throws Exception {
        return context(null, otherCa);
    }

    private static SSLContext context(X509Bundle identity, X509Bundle trusted) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        KeyManagerFactory keys = identity == null ? null : identity.toKeyManagerFactory();
        TrustManagerFactory trust = trusted.toTrustManagerFactory();
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
