package dev.lluvia.memory;

import jdk.jfr.SettingControl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The settings of the allocator's Flight Recorder events beyond JFR's own: {@code minSize} (bytes)
 * on the object events, so that a recording with default settings sees only large objects and one
 * that asks sees every object; {@code pressure} (percent of the budget) on {@code BudgetPressure}.
 */
final class JfrSettings {

    /** Object events with at least this many bytes are recorded unless the recording asks otherwise. */
    static final long DEFAULT_MIN_SIZE = 1 << 20;
    /** Budget pressure is usage at or over this percent of the heap's budget unless the recording asks otherwise. */
    static final long DEFAULT_PRESSURE_PERCENT = 90;

    private JfrSettings() {
    }


    /**
     * A non-negative whole number; when several recordings run, the smallest wins, so that each
     * gets at least the events it asked for. A value that is not such a number is ignored.
     */
    abstract static class MinimumSetting extends SettingControl {
        private String value;

        MinimumSetting(long initial) {
            value = Long.toString(initial);
            apply(initial);
        }

        abstract void apply(long parsed);

        @Override
        public String combine(Set<String> values) {
            long min = Long.MAX_VALUE;
            for (String v : values) {
                long parsed = parse(v);
                if (parsed >= 0) {
                    min = Math.min(min, parsed);
                }
            }
            return min == Long.MAX_VALUE ? value : Long.toString(min);
        }

        @Override
        public void setValue(String settingValue) {
            long parsed = parse(settingValue);
            if (parsed >= 0) {
                value = Long.toString(parsed);
                apply(parsed);
            }
        }

        @Override
        public String getValue() {
            return value;
        }

        private static long parse(String v) {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /**
     * The object events' {@code minSize}: bytes. {@link #smallest} is the least value of every
     * instance (one per event type), which the hooks test before they make an event, so that a
     * recording at the default costs no allocation for the many small objects.
     */
    public static final class MinSizeSetting extends MinimumSetting {
        private static final List<MinSizeSetting> ALL = new ArrayList<>();
        static volatile long smallest = DEFAULT_MIN_SIZE;
        volatile long bytes;

        public MinSizeSetting() {
            super(DEFAULT_MIN_SIZE);
            synchronized (ALL) {
                ALL.add(this);
            }
        }

        @Override
        void apply(long parsed) {
            bytes = parsed;
            synchronized (ALL) {
                long min = parsed;
                for (MinSizeSetting s : ALL) {
                    min = Math.min(min, s.bytes);
                }
                smallest = min;
            }
        }
    }

    /** {@code BudgetPressure}'s {@code pressure}: percent of the budget. */
    public static final class PressureSetting extends MinimumSetting {
        volatile long percent;

        public PressureSetting() {
            super(DEFAULT_PRESSURE_PERCENT);
        }

        @Override
        void apply(long parsed) {
            percent = parsed;
        }
    }
}
