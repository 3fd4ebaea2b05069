package io.protoloop.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads {@code /proc} to prove that children are reaped and pipe threads are gone: a zombie shows
 * {@code Z} in {@code /proc/<pid>/stat}, a running orphan shows our pid as its parent.
 */
public final class ProcFs {

    private static final long SELF = ProcessHandle.current().pid();

    private ProcFs() {
    }

    /**
     * The state letter and parent of {@code pid}, or null when no such process exists.
     * {@code /proc/<pid>/stat} is "pid (comm) S ppid ...", and comm may contain spaces or ')'.
     */
    public static String[] stateAndParent(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // The process vanished while we read it.
            return null;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new String[] {fields[0], fields[1]};
    }

    /** Whether {@code pid} is a child of this JVM, running or a zombie. */
    public static boolean isOurChild(long pid) {
        String[] s = stateAndParent(pid);
        return s != null && Long.parseLong(s[1]) == SELF;
    }

    /** Whether {@code pid} is a zombie child of this JVM. */
    public static boolean isOurZombie(long pid) {
        String[] s = stateAndParent(pid);
        return s != null && s[0].equals("Z") && Long.parseLong(s[1]) == SELF;
    }

    /** Waits until {@code pid} is no child of ours: neither running (an orphan) nor a zombie. */
    public static void awaitReaped(long pid) throws InterruptedException {
        RecordingProtocol.await(() -> !isOurChild(pid), "process " + pid + " to be reaped ("
                + describe(pid) + ")");
    }

    private static String describe(long pid) {
        String[] s = stateAndParent(pid);
        return s == null ? "gone" : "state " + s[0] + ", parent " + s[1];
    }

    /**
     * Waits until the server side of the loopback connection from {@code clientPort} to
     * {@code serverPort} was accepted. {@code /proc/net/tcp} lists a connection still in the listen
     * backlog with inode 0; accepting it gives it a socket file, and so an inode.
     */
    public static void awaitAccepted(int serverPort, int clientPort) throws InterruptedException {
        RecordingProtocol.await(() -> tcpRows(serverPort, clientPort).stream().anyMatch(f -> !f[9].equals("0")),
                "the server to accept the connection from port " + clientPort);
    }

    /**
     * Waits until the server's end of the connection from {@code clientPort} to {@code serverPort} has
     * closed its socket (no longer ESTABLISHED: FIN_WAIT, or gone).
     */
    public static void awaitServerSideClosed(int serverPort, int clientPort) throws InterruptedException {
        RecordingProtocol.await(() -> tcpRows(serverPort, clientPort).stream().noneMatch(f -> f[3].equals("01")),
                "the server's end of the connection from port " + clientPort + " to close");
    }

    /** The /proc/net/tcp{,6} rows (split in fields) of the connection local serverPort, remote clientPort. */
    private static List<String[]> tcpRows(int serverPort, int clientPort) {
        String local = String.format(":%04X", serverPort);
        String remote = String.format(":%04X", clientPort);
        try {
            List<String[]> rows = new java.util.ArrayList<>();
            // The JDK opens IPv6 sockets even for 127.0.0.1 (as ::ffff:127.0.0.1): read both tables.
            for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                Path path = Path.of(table);
                if (Files.exists(path)) {
                    Files.readAllLines(path).stream().skip(1).map(line -> line.trim().split("\\s+"))
                            .filter(f -> f[1].endsWith(local) && f[2].endsWith(remote)).forEach(rows::add);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Live threads whose name starts with {@code prefix}. */
    public static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }

    /** Waits until no live thread's name starts with {@code prefix}. */
    public static void awaitNoThreads(String prefix) throws InterruptedException {
        RecordingProtocol.await(() -> threads(prefix).isEmpty(), "no thread named " + prefix + "* (live: "
                + threads(prefix) + ")");
    }

    /** Asserts that this JVM has no zombie child at all (reads every /proc entry). */
    public static void assertNoZombieChildren() throws IOException {
        try (var entries = Files.list(Path.of("/proc"))) {
            List<Long> zombies = entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(ProcFs::isOurZombie)
                    .collect(Collectors.toList());
            assertThat(zombies).as("zombie children of this JVM").isEmpty();
        }
    }
}
