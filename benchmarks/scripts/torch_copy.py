#!/usr/bin/env python3
"""PyTorch reference for TransferBenchmark: host <-> GPU copies of pinned, registered and pageable host memory.

Pinned memory is PyTorch's own (pin_memory=True, cudaHostAlloc); registered memory is a pageable
tensor made pinned in place with cudaHostRegister, the peer of Session.registerHostMemory.

Usage: python3 benchmarks/scripts/torch_copy.py OUT.json [SIZE_BYTES ...]
Default sizes: 4 KiB, 64 MiB, 1 GiB. Each copy is timed with torch.cuda.synchronize() around it;
the median of 7 rounds after one warm-up is reported in GB/s (10^9 bytes per second), printed as
a Markdown table and written as JSON.
"""
import json
import statistics
import sys
import time

import torch


def timed(fn, reps):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return time.perf_counter() - t0


def register(t):
    err = torch.cuda.cudart().cudaHostRegister(t.data_ptr(), t.numel(), 0)
    if int(err) != 0:
        raise RuntimeError("cudaHostRegister failed: %s" % err)


def measure(n, kind):
    pinned = kind == "pinned"
    host = torch.empty(n, dtype=torch.uint8, pin_memory=pinned)
    host.fill_(7)
    back = torch.empty(n, dtype=torch.uint8, pin_memory=pinned)
    if kind == "registered":
        register(host)
        register(back)
    dev = torch.empty(n, dtype=torch.uint8, device="cuda")
    reps = 1000 if n <= (1 << 20) else 1
    rows = []
    for direction, fn in (("write", lambda: dev.copy_(host)), ("read", lambda: back.copy_(dev))):
        timed(fn, reps)  # warm-up
        speeds = [n * reps / timed(fn, reps) / 1e9 for _ in range(7)]
        rows.append({"what": "torch copy_", "host": kind, "bytes": n,
                     "direction": direction, "gbps": statistics.median(speeds)})
    if kind == "registered":
        torch.cuda.cudart().cudaHostUnregister(host.data_ptr())
        torch.cuda.cudart().cudaHostUnregister(back.data_ptr())
    del host, back, dev
    torch.cuda.empty_cache()
    return rows


def main():
    out = sys.argv[1]
    sizes = [int(s) for s in sys.argv[2:]] or [4096, 64 << 20, 1 << 30]
    rows = []
    for n in sizes:
        for kind in ("pinned", "registered", "pageable"):
            rows.extend(measure(n, kind))
    print("Device: %s; torch %s" % (torch.cuda.get_device_name(0), torch.__version__))
    print()
    print("| what | host memory | bytes | direction | GB/s |")
    print("|---|---|---:|---|---:|")
    for r in rows:
        print("| %s | %s | %d | %s | %.2f |" % (r["what"], r["host"], r["bytes"], r["direction"], r["gbps"]))
    with open(out, "w") as f:
        json.dump({"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
