package io.protoloop.spring.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import io.protoloop.ClientAuth;
import io.protoloop.protocol.BaseProtocol;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.EndpointDefinition;
import io.protoloop.spring.InvalidEndpointException;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.WriteBufferLimits;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.UnboundElementsSourceFilter;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * Finds every endpoint ({@link ProtocolEndpoint @ProtocolEndpoint} beans, then
 * {@link EndpointDefinition} beans), applies placeholders and {@code protoloop.endpoints.*}
 * overrides, and validates the result, failing with an {@link InvalidEndpointException} that names
 * the endpoint and the property to fix.
 */
final class EndpointResolver {

    static final String PREFIX = "protoloop.endpoints";

    private final ConfigurableListableBeanFactory beanFactory;

    private final Environment environment;

    private final ProtoloopProperties properties;

    private final ObjectProvider<SslBundles> sslBundles;

    EndpointResolver(ConfigurableListableBeanFactory beanFactory, Environment environment,
            ProtoloopProperties properties, ObjectProvider<SslBundles> sslBundles) {
        this.beanFactory = beanFactory;
        this.environment = environment;
        this.properties = properties;
        this.sslBundles = sslBundles;
    }

    /** Resolves the enabled endpoints, annotated ones first, each in bean registration order. */
    List<EndpointSpec> resolve() {
        Map<String, Declared> declared = new LinkedHashMap<>();
        for (String beanName : this.beanFactory.getBeanNamesForAnnotation(ProtocolEndpoint.class)) {
            add(declared, fromAnnotation(beanName));
        }
        for (Map.Entry<String, EndpointDefinition> entry : this.beanFactory.getBeansOfType(EndpointDefinition.class)
            .entrySet()) {
            add(declared, fromDefinition(entry.getKey(), entry.getValue()));
        }
        requireKnownKeys();
        Map<String, ProtoloopProperties.Endpoint> overrides = this.properties.getEndpoints();
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : overrides.keySet()) {
            Declared match = declared.get(normalize(key));
            if (match == null) {
                throw new InvalidEndpointException(key, PREFIX + "." + key,
                        "Property '" + PREFIX + "." + key + "' configures a protoloop endpoint named '" + key
                                + "', but there is none. Known endpoints: " + knownNames(declared) + ".",
                        "Correct the endpoint name in the '" + PREFIX + "." + key
                                + ".*' properties, or remove them.");
            }
            keys.put(normalize(match.name), key);
        }
        List<EndpointSpec> specs = new ArrayList<>();
        for (Declared d : declared.values()) {
            String key = keys.get(normalize(d.name));
            ProtoloopProperties.Endpoint override = (key != null) ? overrides.get(key) : null;
            if (override == null) {
                override = new ProtoloopProperties.Endpoint();
            }
            if (override.isEnabled()) {
                specs.add(resolve(d, PREFIX + "." + ((key != null) ? key : d.name), override));
            }
        }
        return specs;
    }

    /**
     * Fails on a key under {@code protoloop.endpoints.<name>} that no endpoint property matches (a typo
     * such as {@code prot} would otherwise be ignored, and the endpoint would run with the default).
     * Only these keys: the rest of {@code protoloop.*} belongs to other property classes. Keys from
     * environment variables and system properties are not held against the application, as Boot does.
     */
    private void requireKnownKeys() {
        BindHandler strict = new NoUnboundElementsBindHandler(BindHandler.DEFAULT, new UnboundElementsSourceFilter());
        try {
            Binder.get(this.environment).bind(PREFIX, Bindable.mapOf(String.class, ProtoloopProperties.Endpoint.class),
                    strict);
        }
        catch (BindException ex) {
            if (!(ex.getCause() instanceof UnboundConfigurationPropertiesException unbound)) {
                // A value that does not convert: the regular binding of ProtoloopProperties reports it.
                return;
            }
            ConfigurationProperty first = unbound.getUnboundProperties().iterator().next();
            String property = first.getName().toString();
            String endpoint = property.substring(PREFIX.length() + 1).split("\\.", 2)[0];
            throw new InvalidEndpointException(endpoint, property, "Property '" + property + "'"
                    + ((first.getOrigin() != null) ? " (from " + first.getOrigin() + ")" : "")
                    + " is not a protoloop endpoint property.",
                    "Correct or remove it. Endpoint properties are enabled, host, port, path, backlog, reuse-port, "
                            + "keep-alive, write-buffer.high/low, ssl.bundle/client-auth, command, shell, "
                            + "restart.policy/max-restarts/backoff/max-backoff and stop-timeout.");
        }
    }

    private static String knownNames(Map<String, Declared> declared) {
        if (declared.isEmpty()) {
            return "none";
        }
        return String.join(", ", declared.values().stream().map(Declared::name).toList());
    }

    private static void add(Map<String, Declared> declared, Declared endpoint) {
        Declared existing = declared.putIfAbsent(normalize(endpoint.name), endpoint);
        if (existing != null) {
            throw new InvalidEndpointException(endpoint.name, PREFIX + "." + endpoint.name,
                    "Protoloop endpoint names must be unique, but '" + endpoint.name + "' is used by "
                            + existing.origin + " and by " + endpoint.origin + ".",
                    "Give one of them another name (the name attribute of @ProtocolEndpoint, or the name of the "
                            + "EndpointDefinition).");
        }
    }

    /** Property keys match names relaxed, as Spring Boot binds them: {@code echoServer} = {@code echo-server}. */
    static String normalize(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    // ---- declarations ---------------------------------------------------------------------------

    private Declared fromAnnotation(String beanName) {
        ProtocolEndpoint annotation = this.beanFactory.findAnnotationOnBean(beanName, ProtocolEndpoint.class);
        Class<?> type = this.beanFactory.getType(beanName);
        String origin = "@ProtocolEndpoint on " + ((type != null) ? type.getName() : "bean '" + beanName + "'");
        String resolvedName = placeholders(annotation.name(), "name", beanName, origin);
        String name = StringUtils.hasText(resolvedName) ? resolvedName.trim() : beanName;
        Declared declared = new Declared(name, annotation.transport(), origin, true,
                () -> (BaseProtocol<?>) this.beanFactory.getBean(beanName),
                placeholders(annotation.host(), "host", name, origin),
                placeholders(annotation.port(), "port", name, origin),
                placeholders(annotation.path(), "path", name, origin),
                Arrays.stream(annotation.command()).map((arg) -> placeholders(arg, "command", name, origin)).toList(),
                placeholders(annotation.shell(), "shell", name, origin),
                placeholders(annotation.ssl(), "ssl", name, origin), annotation.restart());
        checkProtocolType(declared, type);
        if (declared.kind != TransportKind.UDP && !this.beanFactory.isPrototype(beanName)) {
            throw new InvalidEndpointException(name, origin,
                    "Protoloop endpoint " + declared.describe() + " needs a new protocol instance for every "
                            + ((declared.kind == TransportKind.SUBPROCESS) ? "process" : "connection")
                            + ", but bean '" + beanName + "' is not prototype-scoped.",
                    "Remove the @Scope that overrides the prototype scope of " + origin + ".");
        }
        return declared;
    }

    private Declared fromDefinition(String beanName, EndpointDefinition definition) {
        String origin = "EndpointDefinition bean '" + beanName + "'";
        return new Declared(definition.getName(), definition.getKind(), origin, false, definition.getFactory(),
                definition.getHost(), Integer.toString(definition.getPort()), definition.getPath(),
                definition.getCommand(), definition.getShell(), definition.getSsl(), definition.getRestart());
    }

    private String placeholders(String value, String attribute, String endpoint, String origin) {
        try {
            return this.environment.resolveRequiredPlaceholders(value);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidEndpointException(endpoint, "the " + attribute + " attribute of " + origin,
                    "The " + attribute + " attribute of " + origin + " could not be resolved: " + ex.getMessage(),
                    "Define the missing property, or give the placeholder a default (${name:default}).", ex);
        }
    }

    private static void checkProtocolType(Declared declared, @Nullable Class<?> type) {
        if (type == null) {
            return;
        }
        boolean ok = switch (declared.kind) {
            case TCP, UNIX -> Protocol.class.isAssignableFrom(type) || BufferedProtocol.class.isAssignableFrom(type);
            case UDP -> DatagramProtocol.class.isAssignableFrom(type);
            case SUBPROCESS -> SubprocessProtocol.class.isAssignableFrom(type);
        };
        if (ok) {
            return;
        }
        String needed = switch (declared.kind) {
            case TCP, UNIX -> "io.protoloop.protocol.Protocol or io.protoloop.protocol.BufferedProtocol";
            case UDP -> "io.protoloop.protocol.DatagramProtocol";
            case SUBPROCESS -> "io.protoloop.protocol.SubprocessProtocol";
        };
        TransportKind fitting = fittingKind(type);
        throw new InvalidEndpointException(declared.name, declared.attribute("transport"),
                "Protoloop endpoint " + declared.describe() + " is declared by " + declared.origin
                        + ", whose class does not implement " + needed + ", which " + declared.kind
                        + " endpoints need.",
                "Make " + type.getName() + " implement " + needed
                        + ((fitting != null) ? ", or set transport = TransportKind." + fitting + " on its @ProtocolEndpoint"
                                : "")
                        + ".");
    }

    private static @Nullable TransportKind fittingKind(Class<?> type) {
        if (DatagramProtocol.class.isAssignableFrom(type)) {
            return TransportKind.UDP;
        }
        if (Protocol.class.isAssignableFrom(type) || BufferedProtocol.class.isAssignableFrom(type)) {
            return TransportKind.TCP;
        }
        if (SubprocessProtocol.class.isAssignableFrom(type)) {
            return TransportKind.SUBPROCESS;
        }
        return null;
    }

    // ---- merging and validation -----------------------------------------------------------------

    private EndpointSpec resolve(Declared d, String prefix, ProtoloopProperties.Endpoint p) {
        String host = emptyToNull((p.getHost() != null) ? p.getHost() : d.host);
        int port = (p.getPort() != null) ? p.getPort() : parsePort(d, prefix);
        if (port < 0 || port > 65535) {
            throw invalid(d, prefix, "port", "port " + port + " is outside 0..65535.",
                    "set a port between 0 (a free port) and 65535.");
        }
        String path = emptyToNull((p.getPath() != null) ? p.getPath() : d.path);
        List<String> command = d.command;
        String shell = emptyToNull(d.shell);
        if ((p.getCommand() != null && !p.getCommand().isEmpty()) || p.getShell() != null) {
            command = (p.getCommand() != null) ? List.copyOf(p.getCommand()) : List.of();
            shell = emptyToNull(p.getShell());
        }
        String ssl = emptyToNull((p.getSsl().getBundle() != null) ? p.getSsl().getBundle() : d.ssl);
        RestartPolicy restart = (p.getRestart().getPolicy() != null) ? p.getRestart().getPolicy() : d.restart;
        switch (d.kind) {
            case UNIX -> {
                if (path == null) {
                    throw invalid(d, prefix, "path", "a UNIX endpoint needs a socket path.",
                            "set the path of the socket file to create.");
                }
            }
            case SUBPROCESS -> {
                if (command.isEmpty() && shell == null) {
                    throw new InvalidEndpointException(d.name, prefix + ".command",
                            "Protoloop endpoint " + d.describe() + " has no command to run.",
                            "Set '" + prefix + ".command' (program and arguments) or '" + prefix
                                    + ".shell' (a shell command line), or the command or shell attribute of "
                                    + d.origin + ".");
                }
                if (!command.isEmpty() && shell != null) {
                    throw new InvalidEndpointException(d.name, prefix + ".command",
                            "Protoloop endpoint " + d.describe() + " has both a command " + command
                                    + " and a shell command line '" + shell + "'.",
                            "Keep only one of '" + prefix + ".command' and '" + prefix + ".shell' (or of the "
                                    + "command and shell attributes of " + d.origin + ").");
                }
            }
            default -> {
            }
        }
        SslBundle bundle = null;
        if (ssl != null) {
            bundle = sslBundle(d, prefix, ssl);
        }
        ClientAuth clientAuth = p.getSsl().getClientAuth();
        if (clientAuth != ClientAuth.NONE) {
            if (bundle == null) {
                throw invalid(d, prefix, "ssl.client-auth",
                        "client-auth " + lower(clientAuth) + " needs TLS, but the endpoint has no SSL bundle.",
                        "set '" + prefix + ".ssl.bundle' too, or remove the client-auth setting.");
            }
            if (bundle.getStores().getTrustStore() == null) {
                throw invalid(d, prefix, "ssl.client-auth",
                        "client-auth " + lower(clientAuth) + " verifies client certificates against the trust store "
                                + "of SSL bundle '" + ssl + "', which has none.",
                        "add a trust store to the bundle (spring.ssl.bundle.pem." + ssl
                                + ".truststore.certificate or spring.ssl.bundle.jks." + ssl
                                + ".truststore.location), or set client-auth to none.");
            }
        }
        if (p.getBacklog() < 0) {
            throw invalid(d, prefix, "backlog", "backlog " + p.getBacklog() + " is negative.",
                    "set a backlog of 0 or more.");
        }
        WriteBufferLimits limits = writeBufferLimits(d, prefix, p.getWriteBuffer());
        ProtoloopProperties.Restart r = p.getRestart();
        if (r.getBackoff().isNegative() || r.getMaxBackoff().compareTo(r.getBackoff()) < 0) {
            throw invalid(d, prefix, "restart.backoff",
                    "restart back-off " + r.getBackoff() + " must be at least 0 and at most restart.max-backoff ("
                            + r.getMaxBackoff() + ").",
                    "set a back-off of 0 or more, and a max-backoff at least as long.");
        }
        if (p.getStopTimeout().isNegative()) {
            throw invalid(d, prefix, "stop-timeout", "stop-timeout " + p.getStopTimeout() + " is negative.",
                    "set a stop timeout of 0 or more.");
        }
        return new EndpointSpec(d.name, d.kind, d.origin, prefix, d.factory, host, port, path, command, shell, ssl,
                bundle, clientAuth, p.getBacklog(), p.isReusePort(), p.isKeepAlive(), limits, restart, r.getMaxRestarts(),
                r.getBackoff(), r.getMaxBackoff(), p.getStopTimeout());
    }

    private static int parsePort(Declared d, String prefix) {
        String text = (d.port != null) ? d.port.trim() : "";
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(text);
        }
        catch (NumberFormatException ex) {
            throw new InvalidEndpointException(d.name, prefix + ".port",
                    "Protoloop endpoint " + d.describe() + " has port '" + text + "', which is not a number.",
                    "Set '" + prefix + ".port', or correct " + d.attribute("port") + ", to a port number (0 picks a "
                            + "free port).");
        }
    }

    private SslBundle sslBundle(Declared d, String prefix, String name) {
        if (d.kind == TransportKind.UDP || d.kind == TransportKind.SUBPROCESS) {
            throw invalid(d, prefix, "ssl.bundle", d.kind + " endpoints cannot serve TLS (SSL bundle '" + name + "').",
                    "remove the SSL bundle, or make it a TCP or UNIX endpoint.");
        }
        SslBundles bundles = this.sslBundles.getIfAvailable();
        if (bundles == null) {
            throw invalid(d, prefix, "ssl.bundle",
                    "SSL bundle '" + name + "' is requested, but the application has no SslBundles bean.",
                    "remove it, or enable Spring Boot's SslAutoConfiguration and define the bundle under spring.ssl.bundle.");
        }
        SslBundle bundle;
        try {
            bundle = bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new InvalidEndpointException(d.name, prefix + ".ssl.bundle",
                    "Protoloop endpoint " + d.describe() + " serves TLS with SSL bundle '" + name
                            + "', but no such bundle is defined.",
                    "Define the bundle under 'spring.ssl.bundle.jks." + name + "' or 'spring.ssl.bundle.pem." + name
                            + "', or set '" + prefix + ".ssl.bundle' (or " + d.attribute("ssl")
                            + ") to an existing bundle.",
                    ex);
        }
        if (bundle.getStores().getKeyStore() == null) {
            throw new InvalidEndpointException(d.name, prefix + ".ssl.bundle",
                    "Protoloop endpoint " + d.describe() + " serves TLS with SSL bundle '" + name
                            + "', which has no key store: a TLS server needs its certificate and private key.",
                    "Add a key store to the bundle (spring.ssl.bundle.pem." + name
                            + ".keystore.certificate and .private-key, or spring.ssl.bundle.jks." + name
                            + ".keystore.location), or use another bundle.");
        }
        return bundle;
    }

    private static WriteBufferLimits writeBufferLimits(Declared d, String prefix, ProtoloopProperties.WriteBuffer wb) {
        Integer high = bytes(d, prefix, "write-buffer.high", wb.getHigh());
        Integer low = bytes(d, prefix, "write-buffer.low", wb.getLow());
        try {
            return WriteBufferLimits.of(high, low);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidEndpointException(d.name, prefix + ".write-buffer.low",
                    "Protoloop endpoint " + d.describe() + " has invalid write-buffer limits: " + ex.getMessage() + ".",
                    "Set '" + prefix + ".write-buffer.low' to at most '" + prefix + ".write-buffer.high'.", ex);
        }
    }

    private static @Nullable Integer bytes(Declared d, String prefix, String property, @Nullable DataSize size) {
        if (size == null) {
            return null;
        }
        long bytes = size.toBytes();
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw invalid(d, prefix, property, property + " " + size + " is outside 0.." + Integer.MAX_VALUE + "B.",
                    "set a size between 0B and 2GB.");
        }
        return (int) bytes;
    }

    private static InvalidEndpointException invalid(Declared d, String prefix, String property, String problem,
            String fix) {
        return new InvalidEndpointException(d.name, prefix + "." + property,
                "Protoloop endpoint " + d.describe() + ": " + problem,
                "Update '" + prefix + "." + property + "': " + fix);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return StringUtils.hasText(value) ? value.trim() : null;
    }

    /** An endpoint as declared, before properties apply. */
    private record Declared(String name, TransportKind kind, String origin, boolean annotated,
            Supplier<? extends BaseProtocol<?>> factory, @Nullable String host, @Nullable String port,
            @Nullable String path, List<String> command, @Nullable String shell, @Nullable String ssl,
            RestartPolicy restart) {

        String describe() {
            return "'" + this.name + "' (" + this.kind + ")";
        }

        /** How to refer to where an attribute was set: the annotation attribute or the definition. */
        String attribute(String attribute) {
            return this.annotated ? "the " + attribute + " attribute of " + this.origin : this.origin;
        }

    }

}
