package dev.lluvia.memory.sim;

/**
 * The sim calls at which a {@link FaultRule} can make the device fail, as a driver under memory
 * pressure or after a GPU hang does. Each point is named by its {@link dev.lluvia.memory.spi.MemoryBackend}
 * call, which is also its property key: {@code lluvia.sim.fault.allocatePage=every:3}.
 *
 * <p>Faults are injected after the referee has checked the call's arguments and before anything
 * changes, so a failed call leaves the device as it was: what a conforming driver promises.
 */
public enum FaultPoint {
    /** {@code vkAllocateMemory} of a regular page ({@link SimBackend#allocatePage}). */
    ALLOCATE_PAGE("allocatePage"),
    /** {@code vkAllocateMemory} with {@code VkMemoryDedicatedAllocateInfo} ({@link SimBackend#allocateDedicatedPage}). */
    ALLOCATE_DEDICATED_PAGE("allocateDedicatedPage"),
    /** {@code vkMapMemory} ({@link SimBackend#map}). */
    MAP("map"),
    /** {@code vkCreateBuffer} ({@link SimBackend#createBuffer}). */
    CREATE_BUFFER("createBuffer"),
    /** {@code vkCreateImage} ({@link SimBackend#createImage}). */
    CREATE_IMAGE("createImage"),
    /** {@code vkBindBufferMemory} ({@link SimBackend#bindBuffer}). */
    BIND_BUFFER("bindBuffer"),
    /** {@code vkBindImageMemory} ({@link SimBackend#bindImage}). */
    BIND_IMAGE("bindImage"),
    /**
     * A copy through the device's queue ({@code vkQueueSubmit} of a transfer, and its wait):
     * {@link SimBackend#copyToBuffer}, {@link SimBackend#copyFromBuffer}, {@link SimBackend#copyToImage},
     * {@link SimBackend#copyFromImage}.
     */
    TRANSFER("transfer");

    private final String call;

    FaultPoint(String call) {
        this.call = call;
    }

    /** The backend call's name, used in property keys and messages. */
    public String call() {
        return call;
    }

    /**
     * The point of a call name ({@code allocatePage}) or constant name ({@code ALLOCATE_PAGE}),
     * case-insensitive.
     *
     * @throws IllegalArgumentException naming the value and the points that exist
     */
    public static FaultPoint of(String name) {
        for (FaultPoint p : values()) {
            if (p.call.equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (FaultPoint p : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(p.call);
        }
        throw new IllegalArgumentException("unknown fault point '" + name + "'; the points are " + sb
                + " (or 'all')");
    }
}
