package io.protoloop.internal.subprocess;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the JDK's 128 + N exit values become asyncio's -N return codes. */
class SubprocessSignalsTest {

    @Test
    void aStatusOf128PlusASentSignalIsMinusThatSignal() {
        Signals signals = new Signals();
        signals.sending(Signals.SIGTERM);
        assertThat(signals.returncode(128 + 15)).isEqualTo(-15);
        assertThat(signals.returncode(128 + 9)).isEqualTo(137);
        signals.sending(Signals.SIGKILL);
        assertThat(signals.returncode(128 + 9)).isEqualTo(-9);
    }

    @Test
    void otherStatusesAreReportedAsIs() {
        Signals signals = new Signals();
        assertThat(signals.returncode(0)).isZero();
        assertThat(signals.returncode(3)).isEqualTo(3);
        assertThat(signals.returncode(143)).isEqualTo(143);
        assertThat(signals.returncode(255)).isEqualTo(255);
        signals.sending(1);
        assertThat(signals.returncode(128)).isEqualTo(128);
        assertThat(signals.returncode(129)).isEqualTo(-1);
    }

    @Test
    void signal64DoesNotPretendToBeAnother() {
        Signals signals = new Signals();
        signals.sending(64);
        assertThat(signals.returncode(128 + 64)).isEqualTo(-64);
        assertThat(signals.wasSent(63)).isFalse();
        assertThat(signals.wasSent(0)).isFalse();
    }
}
