package dev.lluvia.memory;

/** The type of one channel of an image pixel, with Lluvia's names. */
public enum ChannelType {
    /** Unsigned 8-bit integer. */
    UINT8(1, false, false),
    /** Signed 8-bit integer. */
    INT8(1, true, false),
    /** Unsigned 16-bit integer. */
    UINT16(2, false, false),
    /** Signed 16-bit integer. */
    INT16(2, true, false),
    /** Unsigned 32-bit integer. */
    UINT32(4, false, false),
    /** Signed 32-bit integer. */
    INT32(4, true, false),
    /** 16-bit floating point. */
    FLOAT16(2, true, true),
    /** 32-bit floating point. */
    FLOAT32(4, true, true),
    /** 64-bit floating point. */
    FLOAT64(8, true, true);

    private final int byteSize;
    private final boolean signed;
    private final boolean floatingPoint;

    ChannelType(int byteSize, boolean signed, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.signed = signed;
        this.floatingPoint = floatingPoint;
    }

    /** {@return bytes per channel} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return whether values can be negative} */
    public boolean isSigned() {
        return signed;
    }

    /** {@return whether values are floating point (else integers)} */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }
}
