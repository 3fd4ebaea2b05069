package io.protoloop.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** asyncio's {@code _set_write_buffer_limits} rules, as {@link WriteBufferLimits#of} resolves them. */
class WriteBufferLimitsTest {

    @Test
    void defaultsAre64KiBHighAnd16KiBLow() {
        assertThat(WriteBufferLimits.DEFAULT_HIGH).isEqualTo(65536);
        assertThat(WriteBufferLimits.DEFAULT.high()).isEqualTo(65536);
        assertThat(WriteBufferLimits.DEFAULT.low()).isEqualTo(16384);
        assertThat(WriteBufferLimits.of(null, null)).isEqualTo(new WriteBufferLimits(16384, 65536));
    }

    @Test
    void onlyHighGivesLowAQuarterOfHigh() {
        assertThat(WriteBufferLimits.of(1000, null)).isEqualTo(new WriteBufferLimits(250, 1000));
        assertThat(WriteBufferLimits.of(1001, null)).isEqualTo(new WriteBufferLimits(250, 1001)); // floor, as high // 4
        assertThat(WriteBufferLimits.of(3, null)).isEqualTo(new WriteBufferLimits(0, 3));
        assertThat(WriteBufferLimits.of(Integer.MAX_VALUE, null))
                .isEqualTo(new WriteBufferLimits(Integer.MAX_VALUE / 4, Integer.MAX_VALUE));
    }

    @Test
    void onlyLowGivesHighFourTimesLow() {
        assertThat(WriteBufferLimits.of(null, 100)).isEqualTo(new WriteBufferLimits(100, 400));
        assertThat(WriteBufferLimits.of(null, 0)).isEqualTo(new WriteBufferLimits(0, 0));
    }

    @Test
    void onlyLowSaturatesHighAtIntegerMax() {
        int low = Integer.MAX_VALUE / 4 + 1; // 4 * low overflows an int
        assertThat(WriteBufferLimits.of(null, low)).isEqualTo(new WriteBufferLimits(low, Integer.MAX_VALUE));
        assertThat(WriteBufferLimits.of(null, Integer.MAX_VALUE))
                .isEqualTo(new WriteBufferLimits(Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertThat(WriteBufferLimits.of(null, Integer.MAX_VALUE / 4))
                .isEqualTo(new WriteBufferLimits(Integer.MAX_VALUE / 4, Integer.MAX_VALUE / 4 * 4));
    }

    @Test
    void highZeroForcesLowZero() {
        assertThat(WriteBufferLimits.of(0, null)).isEqualTo(new WriteBufferLimits(0, 0));
        assertThat(WriteBufferLimits.of(0, 0)).isEqualTo(new WriteBufferLimits(0, 0));
    }

    @Test
    void bothGivenAreKept() {
        assertThat(WriteBufferLimits.of(10, 10)).isEqualTo(new WriteBufferLimits(10, 10));
        assertThat(WriteBufferLimits.of(10, 0)).isEqualTo(new WriteBufferLimits(0, 10));
        assertThat(WriteBufferLimits.of(100, 7)).isEqualTo(new WriteBufferLimits(7, 100));
    }

    @Test
    void highZeroWithPositiveLowIsRejected() {
        assertThatThrownBy(() -> WriteBufferLimits.of(0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("high")
                .hasMessageContaining("low");
    }

    @Test
    void lowOverHighIsRejected() {
        assertThatThrownBy(() -> WriteBufferLimits.of(10, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("high")
                .hasMessageContaining("low");
        assertThatThrownBy(() -> new WriteBufferLimits(11, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("high")
                .hasMessageContaining("low");
    }

    @Test
    void negativeHighIsRejectedNamingHigh() {
        assertThatThrownBy(() -> WriteBufferLimits.of(-1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'high'")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> WriteBufferLimits.of(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'high'");
    }

    @Test
    void negativeLowIsRejectedNamingLow() {
        assertThatThrownBy(() -> WriteBufferLimits.of(null, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'low'")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> WriteBufferLimits.of(100, -5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'low'")
                .hasMessageContaining("-5");
    }

    @Test
    void constructorRejectsNegatives() {
        assertThatThrownBy(() -> new WriteBufferLimits(-1, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("low");
        assertThatThrownBy(() -> new WriteBufferLimits(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("high");
    }
}
