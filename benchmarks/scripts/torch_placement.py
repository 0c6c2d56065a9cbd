#!/usr/bin/env python3
"""Does a host-to-device copy's speed depend on which host buffer it reads? (issue 27)

Allocates COUNT pinned host tensors of SIZE bytes, one after another, and times a host-to-device
and a device-to-host copy of each into one device tensor (median of 5 after a warm-up, GB/s), in
two passes over the same buffers.
On a machine whose host memory is all alike every buffer copies at the same speed; where some
host memory is farther from the GPU (another NUMA node of the host under a virtual machine),
host-to-device copies (the GPU's PCIe reads) of some buffers are slower while device-to-host
copies (posted writes) are not.

Usage: python3 benchmarks/scripts/torch_placement.py [COUNT] [SIZE_BYTES]
"""
import statistics
import sys
import time

import torch


def rate(fn, n):
    fn()
    torch.cuda.synchronize()
    speeds = []
    for _ in range(5):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        speeds.append(n / (time.perf_counter() - t0) / 1e9)
    return statistics.median(speeds)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 256 << 20
    dev = torch.empty(n, dtype=torch.uint8, device="cuda")
    hosts = []
    for i in range(count):
        h = torch.empty(n, dtype=torch.uint8, pin_memory=True)
        h.fill_(i)
        hosts.append(h)
    # Two passes over the same buffers: a buffer slow in both passes is slow for where its memory is,
    # not for when it was measured.
    rows = [[], []]
    for p in range(2):
        for h in hosts:
            rows[p].append((rate(lambda: dev.copy_(h), n), rate(lambda: h.copy_(dev), n)))
    print("| buffer | bytes | write GB/s, pass 1 | pass 2 | read GB/s, pass 1 | pass 2 |")
    print("|---:|---:|---:|---:|---:|---:|")
    for i in range(count):
        print("| %d | %d | %.2f | %.2f | %.2f | %.2f |" % (i, n, rows[0][i][0], rows[1][i][0], rows[0][i][1], rows[1][i][1]))
    for p in range(2):
        print("pass %d median write %.2f read %.2f" % (p + 1, statistics.median(r[0] for r in rows[p]),
                                                      statistics.median(r[1] for r in rows[p])))

if __name__ == "__main__":
    main()
