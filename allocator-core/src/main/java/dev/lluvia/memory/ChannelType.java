package dev.lluvia.memory;

/** The type of one channel of an image pixel, with Lluvia's names. */
public enum ChannelType {
    UINT8(1, false, false),
    INT8(1, true, false),
    UINT16(2, false, false),
    INT16(2, true, false),
    UINT32(4, false, false),
    INT32(4, true, false),
    FLOAT16(2, true, true),
    FLOAT32(4, true, true),
    FLOAT64(8, true, true);

    private final int byteSize;
    private final boolean signed;
    private final boolean floatingPoint;

    ChannelType(int byteSize, boolean signed, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.signed = signed;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per channel. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isSigned() {
        return signed;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }
}
