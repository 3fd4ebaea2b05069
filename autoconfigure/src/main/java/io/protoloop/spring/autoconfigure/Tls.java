package io.protoloop.spring.autoconfigure;

import java.security.KeyManagementException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

import io.protoloop.ServerOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * Serves TLS from Spring Boot SSL bundles: asyncio's {@code create_server(ssl=context)} with the
 * context built from the bundle ({@link SslBundle#createSslContext()}: its key and trust managers and
 * protocol), the bundle's enabled protocols and ciphers applied to every engine, and the endpoint's
 * {@code ssl.client-auth}. Spring Boot's bundles carry no client-auth setting (the web server has its
 * own {@code server.ssl.client-auth}), hence the endpoint property.
 */
final class Tls {

    private Tls() {
    }

    static void configure(ServerOptions.Builder builder, EndpointSpec spec) {
        SslBundle bundle = spec.sslBundle();
        if (bundle == null) {
            return;
        }
        builder.ssl(sslContext(bundle)).clientAuth(spec.clientAuth());
    }

    /**
     * The bundle's context; when the bundle restricts protocols or ciphers, a context whose engines
     * enable only those (protoloop-core takes a plain {@link SSLContext} and creates engines with its
     * defaults).
     */
    static SSLContext sslContext(SslBundle bundle) {
        SSLContext context = bundle.createSslContext();
        SslOptions options = bundle.getOptions();
        if (options == null || !options.isSpecified()) {
            return context;
        }
        return new RestrictedSslContext(context, options.getEnabledProtocols(), options.getCiphers());
    }

    /** An {@link SSLContext} whose engines enable only the given protocols and cipher suites. */
    private static final class RestrictedSslContext extends SSLContext {

        RestrictedSslContext(SSLContext delegate, String @Nullable [] protocols, String @Nullable [] ciphers) {
            super(new RestrictedSpi(delegate, protocols, ciphers), delegate.getProvider(), delegate.getProtocol());
        }

    }

    private static final class RestrictedSpi extends SSLContextSpi {

        private final SSLContext delegate;

        private final String @Nullable [] protocols;

        private final String @Nullable [] ciphers;

        RestrictedSpi(SSLContext delegate, String @Nullable [] protocols, String @Nullable [] ciphers) {
            this.delegate = delegate;
            this.protocols = protocols;
            this.ciphers = ciphers;
        }

        @Override
        protected void engineInit(KeyManager @Nullable [] km, TrustManager @Nullable [] tm, @Nullable SecureRandom sr)
                throws KeyManagementException {
            throw new KeyManagementException("Already initialized from the SSL bundle");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return restrict(this.delegate.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return restrict(this.delegate.createSSLEngine(host, port));
        }

        private SSLEngine restrict(SSLEngine engine) {
            if (this.protocols != null) {
                engine.setEnabledProtocols(this.protocols);
            }
            if (this.ciphers != null) {
                engine.setEnabledCipherSuites(this.ciphers);
            }
            return engine;
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return this.delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return this.delegate.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return this.delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return this.delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            SSLParameters parameters = this.delegate.getDefaultSSLParameters();
            if (this.protocols != null) {
                parameters.setProtocols(this.protocols);
            }
            if (this.ciphers != null) {
                parameters.setCipherSuites(this.ciphers);
            }
            return parameters;
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return this.delegate.getSupportedSSLParameters();
        }

    }

}
