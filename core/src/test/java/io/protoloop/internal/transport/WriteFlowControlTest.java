package io.protoloop.internal.transport;

import io.protoloop.transport.WriteBufferLimits;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** asyncio's {@code _FlowControlMixin} decisions ({@code _maybe_pause_protocol} / {@code _maybe_resume_protocol}). */
class WriteFlowControlTest {

    private static WriteFlowControl flow(int high, int low) {
        return new WriteFlowControl(new WriteBufferLimits(low, high));
    }

    @Test
    void startsEmptyAndNotPaused() {
        WriteFlowControl fc = new WriteFlowControl(WriteBufferLimits.DEFAULT);
        assertThat(fc.size()).isZero();
        assertThat(fc.paused()).isFalse();
        assertThat(fc.limits()).isEqualTo(WriteBufferLimits.DEFAULT);
        assertThat(fc.shouldPause()).isFalse();
        assertThat(fc.shouldResume()).isFalse();
    }

    @Test
    void countsAddedAndRemovedBytes() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(70);
        fc.add(20);
        assertThat(fc.size()).isEqualTo(90);
        fc.remove(15);
        assertThat(fc.size()).isEqualTo(75);
    }

    @Test
    void sizeEqualToHighDoesNotPause() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(100);
        assertThat(fc.shouldPause()).isFalse();
        assertThat(fc.paused()).isFalse();
    }

    @Test
    void sizeOneOverHighPauses() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(100);
        assertThat(fc.shouldPause()).isFalse();
        fc.add(1);
        assertThat(fc.shouldPause()).isTrue();
        assertThat(fc.paused()).isTrue();
    }

    @Test
    void pausesOnlyOnce() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(500);
        assertThat(fc.shouldPause()).isTrue();
        assertThat(fc.shouldPause()).isFalse();
        fc.add(500);
        assertThat(fc.shouldPause()).isFalse();
        assertThat(fc.paused()).isTrue();
    }

    @Test
    void resumesAtLowInclusiveOnlyWhenPaused() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(101);
        assertThat(fc.shouldPause()).isTrue();

        fc.remove(50); // 51: between low and high
        assertThat(fc.shouldResume()).isFalse();
        assertThat(fc.paused()).isTrue();
        fc.remove(25); // 26: one over low
        assertThat(fc.shouldResume()).isFalse();
        fc.remove(1); // 25 == low
        assertThat(fc.shouldResume()).isTrue();
        assertThat(fc.paused()).isFalse();
        // Resumed once; nothing more to do.
        assertThat(fc.shouldResume()).isFalse();
        fc.remove(25);
        assertThat(fc.shouldResume()).isFalse();
    }

    @Test
    void neverResumesWhenNotPaused() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(10);
        assertThat(fc.shouldResume()).isFalse();
        fc.remove(10);
        assertThat(fc.shouldResume()).isFalse();
    }

    @Test
    void canPauseAgainAfterResuming() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(200);
        assertThat(fc.shouldPause()).isTrue();
        fc.remove(200);
        assertThat(fc.shouldResume()).isTrue();
        fc.add(101);
        assertThat(fc.shouldPause()).isTrue();
        assertThat(fc.paused()).isTrue();
    }

    @Test
    void highZeroPausesOnAnyByteAndResumesOnlyAtZero() {
        WriteFlowControl fc = new WriteFlowControl(WriteBufferLimits.of(0, null));
        assertThat(fc.shouldPause()).isFalse(); // empty: 0 is not over 0
        fc.add(1);
        assertThat(fc.shouldPause()).isTrue();
        fc.add(9);
        fc.remove(9); // 1 byte left
        assertThat(fc.shouldResume()).isFalse();
        fc.remove(1);
        assertThat(fc.shouldResume()).isTrue();
        assertThat(fc.paused()).isFalse();
    }

    @Test
    void loweringLimitsMayPause() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(60);
        assertThat(fc.shouldPause()).isFalse();
        fc.limits(new WriteBufferLimits(10, 50));
        assertThat(fc.limits()).isEqualTo(new WriteBufferLimits(10, 50));
        assertThat(fc.shouldPause()).isTrue();
        assertThat(fc.paused()).isTrue();
    }

    @Test
    void raisingLimitsDoesNotResumeByItself() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(150);
        assertThat(fc.shouldPause()).isTrue();
        // asyncio's set_write_buffer_limits only calls _maybe_pause_protocol.
        fc.limits(new WriteBufferLimits(200, 1000));
        assertThat(fc.paused()).isTrue();
        assertThat(fc.shouldPause()).isFalse();
        // Only shouldResume() (the owner's drain path) resumes.
        assertThat(fc.shouldResume()).isTrue();
        assertThat(fc.paused()).isFalse();
    }

    @Test
    void clearForgetsBufferedBytesButNotThePausedState() {
        WriteFlowControl fc = flow(100, 25);
        fc.add(500);
        assertThat(fc.shouldPause()).isTrue();
        fc.clear();
        assertThat(fc.size()).isZero();
        assertThat(fc.paused()).isTrue();
        assertThat(fc.shouldResume()).isTrue();
        fc.clear();
        assertThat(fc.size()).isZero();
    }
}
