package io.protoloop.internal.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The service database ({@code /etc/services}) that glibc's {@code getaddrinfo}/{@code getnameinfo}
 * consult for service names ({@code "http"} <-> 80). Read once, on first use, on an executor thread
 * (it is a file read); a missing file means "no names", so only numeric ports work.
 */
final class Services {

    private static final Path FILE = Path.of("/etc/services");
    private static volatile Services instance;

    /** "name/proto" (aliases included) to port. */
    private final Map<String, Integer> ports = new HashMap<>();
    /** "port/proto" to the first name listed. */
    private final Map<String, String> names = new HashMap<>();

    private Services(List<String> lines) {
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] fields = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (fields.length < 2) {
                continue;
            }
            int slash = fields[1].indexOf('/');
            if (slash <= 0) {
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(fields[1].substring(0, slash));
            } catch (NumberFormatException e) {
                continue;
            }
            String proto = fields[1].substring(slash + 1).toLowerCase(Locale.ROOT);
            names.putIfAbsent(port + "/" + proto, fields[0]);
            ports.putIfAbsent(fields[0] + "/" + proto, port);
            for (int i = 2; i < fields.length; i++) {
                ports.putIfAbsent(fields[i] + "/" + proto, port);
            }
        }
    }

    static Services get() {
        Services s = instance;
        if (s == null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(FILE, StandardCharsets.ISO_8859_1);
            } catch (IOException | SecurityException e) {
                lines = List.of();
            }
            s = new Services(lines);
            instance = s;
        }
        return s;
    }

    /** The port of service {@code name} over {@code proto} ("tcp", "udp"), or null. */
    Integer port(String name, String proto) {
        return ports.get(name + "/" + proto);
    }

    /** The service name of {@code port} over {@code proto}, or null. */
    String name(int port, String proto) {
        return names.get(port + "/" + proto);
    }
}
