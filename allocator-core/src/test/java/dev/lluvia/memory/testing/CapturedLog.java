package dev.lluvia.memory.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the library logs during each test (its loggers are all under {@code dev.lluvia.memory},
 * java.util.logging by default), kept instead of printed, so that a green build is quiet and a test
 * that provokes a warning on purpose can assert it. Register it as a field:
 * <pre>{@code
 * @RegisterExtension
 * final CapturedLog log = CapturedLog.leakReports();
 * }</pre>
 * Records the test {@linkplain #expectingWarnings expects} are kept for {@link #messages()}; any other
 * record at WARNING or above fails the test after it ran (with the record's text), so capturing
 * hides nothing unexpected. Records below WARNING are dropped, as the default console handler
 * (level INFO) would print only INFO of them and the library logs nothing at INFO.
 *
 * <p>Tests of one JVM run one at a time here (no parallel execution is configured); a record
 * logged by another thread during the test is captured too.
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

    /** The library's root logger; kept referenced, as java.util.logging forgets unreferenced loggers' settings. */
    private static final Logger LIBRARY = Logger.getLogger("dev.lluvia.memory");

    private final Predicate<LogRecord> expected;
    private final List<LogRecord> kept = new ArrayList<>();
    private final List<LogRecord> unexpected = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (kept) {
                if (expected.test(record)) {
                    kept.add(record);
                } else if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    unexpected.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private boolean parentHandlers;

    private CapturedLog(Predicate<LogRecord> expected) {
        this.expected = expected;
    }

    /**
     * Keeps the warnings (WARNING and SEVERE) whose message {@code expected} accepts; any other
     * warning fails the test. (Messages, not records: the test code of a module that does not read
     * java.logging can use it.)
     */
    public static CapturedLog expectingWarnings(Predicate<String> expected) {
        return new CapturedLog(r -> r.getLevel().intValue() >= Level.WARNING.intValue() && r.getMessage() != null
                && expected.test(r.getMessage()));
    }

    /**
     * Expects the warning {@code LeakReport} logs when a Memory or Session closes with live objects
     * ("closing ... freed N live objects: ..."); any other warning fails the test.
     */
    public static CapturedLog leakReports() {
        return expectingWarnings(CapturedLog::isLeakReport);
    }

    /** Expects nothing: every warning fails the test. */
    public static CapturedLog nothing() {
        return new CapturedLog(r -> false);
    }

    /** Whether {@code message} is a leak report of {@code LeakReport}. */
    public static boolean isLeakReport(String message) {
        return message.startsWith("closing ") && message.contains(" freed ");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (kept) {
            kept.clear();
            unexpected.clear();
        }
        parentHandlers = LIBRARY.getUseParentHandlers();
        LIBRARY.setUseParentHandlers(false);
        LIBRARY.addHandler(handler);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LIBRARY.removeHandler(handler);
        LIBRARY.setUseParentHandlers(parentHandlers);
        synchronized (kept) {
            if (!unexpected.isEmpty()) {
                StringBuilder sb = new StringBuilder("unexpected log records during the test:");
                for (LogRecord r : unexpected) {
                    sb.append("\n  ").append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ")
                            .append(r.getMessage());
                }
                throw new AssertionError(sb.toString());
            }
        }
    }

    /** The messages of the expected records so far, in order. */
    public List<String> messages() {
        synchronized (kept) {
            return kept.stream().map(LogRecord::getMessage).toList();
        }
    }
}
