package io.protoloop.internal.signal;

import io.protoloop.internal.loop.LoopResource;
import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.internal.loop.MemberLoop;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * asyncio's {@code add_signal_handler}/{@code remove_signal_handler} on {@link sun.misc.Signal}
 * (module {@code jdk.unsupported}, exported: no JNI, no {@code --add-opens}).
 *
 * <p>A signal has one JVM-wide handler, so this registry is process-wide: the first loop that adds
 * a handler for a signal installs ours (remembering the JVM's previous one), every loop that added
 * one gets its callback {@code callSoon}-ed when the signal arrives, and when the last one removes
 * its handler the previous JVM handler is put back (for SIGINT, SIGTERM and SIGHUP that is the
 * JVM's own, which runs the shutdown hooks; asyncio restores {@code default_int_handler} or
 * {@code SIG_DFL}). Each member loop holds at most one callback per signal; adding another replaces
 * it, as in asyncio. The group facade registers for its first member, where its callbacks run.
 *
 * <p>Signals the JVM keeps for itself are refused with an {@link IllegalArgumentException} that says
 * why (see {@link SignalNames#reservedReason}); so are SIGINT/SIGTERM/SIGHUP when the process was
 * started with them ignored, since the JVM then silently leaves them ignored.
 */
public final class UnixSignals {

    private static final Object LOCK = new Object();
    /** Installed handlers by signal number. Guarded by {@link #LOCK}. */
    private static final Map<Integer, Installed> INSTALLED = new HashMap<>();

    private UnixSignals() {
    }

    /**
     * Runs {@code callback} on {@code loop} (via {@code callSoon}) each time {@code signal} arrives.
     *
     * @throws IllegalArgumentException for an unknown or reserved signal
     * @throws IllegalStateException    when the loop is closed
     */
    public static void add(MemberLoop loop, int signal, Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        String name = SignalNames.require(signal);
        String reserved = SignalNames.reservedReason(name);
        if (reserved != null) {
            throw new IllegalArgumentException("SIG" + name + " (" + signal + ") cannot be handled: " + reserved);
        }
        // Registers the close hook first: it throws if the loop is closed, before anything is installed.
        LoopSignals owner = loop.runtime().extension(LoopSignals.class, LoopSignals::new);
        synchronized (LOCK) {
            Installed installed = INSTALLED.get(signal);
            if (installed == null) {
                installed = install(signal, name);
                INSTALLED.put(signal, installed);
            }
            installed.callbacks.put(loop, callback);
            owner.signals.add(signal);
        }
        if (loop.isClosed()) {
            // The loop closed while we installed: its close may have run before our registration.
            owner.abortOnLoopClose();
            throw new IllegalStateException("the event loop is closed");
        }
    }

    /**
     * Removes {@code loop}'s handler for {@code signal}; the last removal restores the JVM's previous
     * handler.
     *
     * @return whether {@code loop} had a handler for it
     * @throws IllegalArgumentException for a number that is not a signal
     */
    public static boolean remove(MemberLoop loop, int signal) {
        SignalNames.require(signal);
        synchronized (LOCK) {
            Installed installed = INSTALLED.get(signal);
            if (installed == null || installed.callbacks.remove(loop) == null) {
                return false;
            }
            if (installed.callbacks.isEmpty()) {
                INSTALLED.remove(signal);
                Signal.handle(installed.signal, installed.previous);
            }
            return true;
        }
    }

    /** Removes every handler of {@code runtime}'s members (the loop closes, as asyncio's {@code close()}). */
    static void removeAll(LoopRuntime runtime, List<Integer> signals) {
        synchronized (LOCK) {
            for (int signal : signals) {
                Installed installed = INSTALLED.get(signal);
                if (installed == null) {
                    continue;
                }
                installed.callbacks.keySet().removeIf(member -> member.runtime() == runtime);
                if (installed.callbacks.isEmpty()) {
                    INSTALLED.remove(signal);
                    Signal.handle(installed.signal, installed.previous);
                }
            }
        }
    }

    /** Signal numbers with a protoloop handler now (any loop), for tests and diagnostics. */
    public static Map<Integer, Integer> installed() {
        synchronized (LOCK) {
            Map<Integer, Integer> counts = new TreeMap<>();
            INSTALLED.forEach((signal, installed) -> counts.put(signal, installed.callbacks.size()));
            return counts;
        }
    }

    private static Installed install(int number, String name) {
        Signal signal = new Signal(name);
        Installed installed = new Installed(signal);
        SignalHandler previous;
        try {
            previous = Signal.handle(signal, installed);
        } catch (IllegalArgumentException e) {
            String why = SignalNames.isShutdownSignal(name)
                    ? "the JVM keeps it (it runs with -Xrs / -XX:+ReduceSignalUsage)"
                    : "the JVM or the OS reserves it";
            throw new IllegalArgumentException("SIG" + name + " (" + number + ") cannot be handled: " + why
                    + " (" + e.getMessage() + ")", e);
        }
        if (previous == SignalHandler.SIG_IGN && SignalNames.isShutdownSignal(name)) {
            // HotSpot leaves a shutdown signal that was ignored at start ignored, and says so only
            // through this return value: our handler would never run.
            Signal.handle(signal, previous);
            throw new IllegalArgumentException("SIG" + name + " (" + number + ") cannot be handled: this process was"
                    + " started with it ignored (nohup, or a background job of a non-interactive shell), and the"
                    + " JVM keeps ignored shutdown signals ignored");
        }
        installed.previous = previous;
        return installed;
    }

    /** Our JVM handler for one signal, and the loops that want it. */
    private static final class Installed implements SignalHandler {
        final Signal signal;
        /** Insertion order: loops hear a signal in the order they registered. Guarded by {@link #LOCK}. */
        final Map<MemberLoop, Runnable> callbacks = new LinkedHashMap<>();
        SignalHandler previous;

        Installed(Signal signal) {
            this.signal = signal;
        }

        /** Runs on the JVM's signal dispatch thread: hand the callbacks to their loops. */
        @Override
        public void handle(Signal sig) {
            List<Map.Entry<MemberLoop, Runnable>> targets;
            synchronized (LOCK) {
                targets = new ArrayList<>(callbacks.entrySet());
            }
            for (Map.Entry<MemberLoop, Runnable> target : targets) {
                try {
                    target.getKey().callSoon(target.getValue());
                } catch (IllegalStateException closed) {
                    // That loop closed; its close removes the registration.
                }
            }
        }

        @Override
        public String toString() {
            return "protoloop handler for SIG" + signal.getName();
        }
    }

    /** A loop group's signals, so that closing the loop removes its handlers. */
    static final class LoopSignals implements LoopResource {
        private final LoopRuntime runtime;
        /** Guarded by {@link #LOCK}. */
        final java.util.Set<Integer> signals = new java.util.TreeSet<>();

        LoopSignals(LoopRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public void abortOnLoopClose() {
            List<Integer> all;
            synchronized (LOCK) {
                all = new ArrayList<>(signals);
                signals.clear();
            }
            removeAll(runtime, all);
        }
    }
}
