package io.protoloop.internal.signal;

import sun.misc.Signal;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Signal numbers and names. {@link sun.misc.Signal} takes names; the numbers are the platform's,
 * learnt from the JVM at startup (on Linux: 1 HUP, 2 INT, 3 QUIT, 6 ABRT, 9 KILL, 10 USR1, 12 USR2,
 * 13 PIPE, 14 ALRM, 15 TERM, 17 CHLD, 18 CONT, 19 STOP, 20 TSTP, 28 WINCH, ...). Real-time signals
 * ({@code SIGRTMIN+n}) have no name the JVM accepts, so they cannot be handled.
 */
final class SignalNames {

    /** The POSIX and Linux names, without "SIG". */
    private static final String[] NAMES = {
        "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS", "EMT", "INFO",
    };

    /** Number to name, for the signals this JVM knows. */
    private static final Map<Integer, String> BY_NUMBER;

    static {
        Map<Integer, String> byNumber = new TreeMap<>();
        for (String name : NAMES) {
            try {
                byNumber.putIfAbsent(new Signal(name).getNumber(), name);
            } catch (IllegalArgumentException notOnThisPlatform) {
                // e.g. STKFLT and PWR exist on Linux only, EMT and INFO on BSD only.
            }
        }
        BY_NUMBER = Collections.unmodifiableMap(byNumber);
    }

    private SignalNames() {
    }

    /**
     * The name of {@code signal}.
     *
     * @throws IllegalArgumentException when it is not a signal number the JVM knows (asyncio's
     *                                  {@code ValueError: sig N out of range})
     */
    static String require(int signal) {
        String name = BY_NUMBER.get(signal);
        if (name == null) {
            throw new IllegalArgumentException("signal " + signal + " is not a signal the JVM can handle (known: "
                    + BY_NUMBER + ")");
        }
        return name;
    }

    /** Whether the JVM uses {@code name} to run its shutdown hooks (and treats it specially). */
    static boolean isShutdownSignal(String name) {
        return name.equals("INT") || name.equals("TERM") || name.equals("HUP");
    }

    /**
     * Why {@code name} must not be handled, or null. The first group is refused by HotSpot itself
     * (or the kernel); the second HotSpot would let us replace, but its own native handler there does
     * work the JVM depends on.
     */
    static String reservedReason(String name) {
        switch (name) {
            case "KILL":
            case "STOP":
                return "no process can catch it (the kernel does not allow it)";
            case "QUIT":
                return "the JVM uses it to print thread dumps (kill -3, jstack)";
            case "ILL":
            case "FPE":
            case "SEGV":
                return "the JVM uses it internally (implicit null and arithmetic checks, crash reports)";
            case "BUS":
                return "the JVM uses it internally (errors on memory-mapped files become exceptions through it)";
            case "USR2":
                return "HotSpot uses it to suspend and resume threads (JFR, profilers); replacing its handler"
                        + " could hang the JVM";
            case "PIPE":
            case "XFSZ":
                return "the JVM's own handler keeps it from killing the process, so that the write fails with an"
                        + " IOException instead";
            default:
                return null;
        }
    }
}
