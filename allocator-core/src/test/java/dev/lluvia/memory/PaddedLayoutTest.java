package dev.lluvia.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The objects every create and close writes keep 128 bytes of padding before and after their
 * fields in the layout this JVM actually gives them (see {@link Memory.MemoryLock}): a field added
 * to one of them that the JVM puts into the hole behind the object header, or a padding that the
 * JVM reorders, fails here, not as a slowdown on a many-core host. The offsets come from
 * {@code sun.misc.Unsafe.objectFieldOffset}, looked up reflectively (the tests' JVMs allow it
 * quietly on every JDK the build runs on).
 */
class PaddedLayoutTest {

    private static final int PADDING = 128;

    @ParameterizedTest
    @ValueSource(strings = {"dev.lluvia.memory.Memory$MemoryLock", "dev.lluvia.memory.PagePool$Padded",
            "dev.lluvia.memory.Page$Padded", "dev.lluvia.memory.alloc.TlsfAllocator$Padded"})
    void theFieldsHave128BytesOfPaddingOnEitherSide(String className) throws Exception {
        final Object unsafe = unsafe();
        final Method offsetOf = unsafe.getClass().getMethod("objectFieldOffset", Field.class);
        final int referenceBytes = (Integer) unsafe.getClass().getMethod("arrayIndexScale", Class.class)
                .invoke(unsafe, Object[].class);
        long padStart = Long.MAX_VALUE;
        long padEnd = 0;
        long fieldsStart = Long.MAX_VALUE;
        long fieldsEnd = 0;
        final List<String> fields = new ArrayList<>();
        for (Class<?> c = Class.forName(className); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                final long at = (Long) offsetOf.invoke(unsafe, f);
                final long end = at + size(f.getType(), referenceBytes);
                fields.add(c.getSimpleName() + "." + f.getName() + "@" + at);
                if (f.getName().matches("[pq]\\d\\d")) {
                    padStart = Math.min(padStart, at);
                    padEnd = Math.max(padEnd, end);
                } else {
                    fieldsStart = Math.min(fieldsStart, at);
                    fieldsEnd = Math.max(fieldsEnd, end);
                }
            }
        }
        assertTrue(fieldsStart - padStart >= PADDING, className + ": padding before the fields " + fields);
        assertTrue(padEnd - fieldsEnd >= PADDING, className + ": padding after the fields " + fields);
    }

    private static Object unsafe() throws Exception {
        final Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        return theUnsafe.get(null);
    }

    /** Bytes of a field of this type; a reference takes what an {@code Object[]} element takes. */
    private static long size(Class<?> type, int referenceBytes) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (!type.isPrimitive()) {
            return referenceBytes;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        return type == short.class || type == char.class ? 2 : 1;
    }
}
