package dev.lluvia.memory.report;

import dev.lluvia.memory.MemoryPropertyFlag;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** How reports and the CLI write sizes and flag sets, so that they all write them alike. */
public final class Format {

    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Format() {
    }

    /**
     * A flag set in enum order ({@code [DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT]}), the same on
     * every run: the library's sets may be immutable sets whose iteration order is unspecified.
     */
    public static String flags(Set<MemoryPropertyFlag> flags) {
        return flags.isEmpty() ? "[]" : EnumSet.copyOf(flags).toString();
    }

    /** A byte count in binary units with up to two decimals: {@code 2 GiB}, {@code 79.65 GiB}, {@code 1000 B}. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = String.format(Locale.ROOT, "%.2f", value);
        if (number.endsWith(".00")) {
            number = number.substring(0, number.length() - 3);
        } else if (number.endsWith("0")) {
            number = number.substring(0, number.length() - 1);
        }
        return number + " " + BINARY_UNITS[unit];
    }

    /** A byte count in binary units followed by the exact count: {@code 2 GiB (2147483648 bytes)}. */
    public static String bytesExact(long bytes) {
        return bytes < 1024 ? bytes + " bytes" : bytes(bytes) + " (" + bytes + " bytes)";
    }
}
