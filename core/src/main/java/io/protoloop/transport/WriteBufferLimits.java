package io.protoloop.transport;

/**
 * A transport's write-buffer water marks in bytes, asyncio's {@code get_write_buffer_limits()} pair.
 *
 * <p>Semantics differ from Netty's {@code WriteBufferWaterMark} on purpose: only payload bytes count,
 * writing pauses when the buffer is strictly over {@code high}, and resumes when it is at or under
 * {@code low} (Netty resumes strictly under low and counts per-message overhead).
 *
 * @param low  the low-water mark, {@code 0 <= low <= high}
 * @param high the high-water mark
 */
public record WriteBufferLimits(int low, int high) {

    /** asyncio's default high-water mark, 64 KiB. */
    public static final int DEFAULT_HIGH = 64 * 1024;

    /** The defaults: 16 KiB low, 64 KiB high. */
    public static final WriteBufferLimits DEFAULT = new WriteBufferLimits(DEFAULT_HIGH / 4, DEFAULT_HIGH);

    /**
     * Validates the pair.
     *
     * @throws IllegalArgumentException when a value is negative or {@code low > high}
     */
    public WriteBufferLimits {
        if (low < 0 || high < 0 || low > high) {
            throw new IllegalArgumentException("write buffer limits: high (" + high + ") must be >= low (" + low
                    + ") must be >= 0");
        }
    }

    /**
     * Resolves optional values with asyncio's rules ({@code _set_write_buffer_limits}): no values
     * gives the defaults; only high gives low = high / 4; only low gives high = 4 * low (saturating).
     *
     * @throws IllegalArgumentException when a value is negative or low exceeds high
     */
    public static WriteBufferLimits of(Integer high, Integer low) {
        int h;
        int l;
        if (high == null) {
            if (low == null) {
                return DEFAULT;
            }
            requireNonNegative("low", low);
            h = (int) Math.min(Integer.MAX_VALUE, 4L * low);
        } else {
            requireNonNegative("high", high);
            h = high;
        }
        if (low == null) {
            l = h / 4;
        } else {
            requireNonNegative("low", low);
            l = low;
        }
        return new WriteBufferLimits(l, h);
    }

    private static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("write buffer limit '" + name + "' must be >= 0, was " + value);
        }
    }
}
