package dev.lluvia.memory;

/**
 * How much of a heap this process may use and does use.
 *
 * @param heapIndex the heap
 * @param budget    bytes the process can allocate before the driver starts failing or paging;
 *                  the heap size where the device reports no budget
 * @param usage     bytes the process has allocated from the heap
 * @param reported  whether the driver reported these values ({@code VK_EXT_memory_budget}) or
 *                  they are estimates from the heap size and this library's own pages
 */
public record HeapBudget(int heapIndex, long budget, long usage, boolean reported) {
}
