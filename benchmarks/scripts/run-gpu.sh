#!/usr/bin/env bash
# Every figure of issue 14 on the GPU machine, in one go (about 12.5 minutes on a 16-core H100 host;
# the device tool's calls stop at 10, so there run the thread rows in a call of their own):
# transfers (library, both host paths, images, memcpy), the PyTorch pinned-memory reference,
# create/destroy against VMA (GpuBenchmark: 32 MiB and 256 MiB pages), the 64 MiB churn loop against
# VMA (ChurnBenchmark: create, upload, device copy, read back, free), threads against VMA (three
# runs, the target's "three runs of three"), and threads writing large buffers of one Memory at once
# (WritersBenchmark).
# Usage (project root, bundle made with scripts/gpu-suite.sh bundle or scripts/make-bundle.sh):
#   bash benchmarks/scripts/run-gpu.sh OUT_DIR [DEVICE]
# Everything goes into one file, OUT_DIR/run-gpu.tar.gz (the device tool brings back at most 8
# files; this run writes 11: nproc, lscpu, nvidia-smi, torch.json/.md, transfers.json/.md, create.md,
# churn.md, threads.md, writers.md), and the Markdown results to standard output; PACK=0 leaves the files unpacked.
# Locally (lavapipe), with the shaded jar: RUN="java -cp benchmarks/target/benchmarks.jar" \
#   bash benchmarks/scripts/run-gpu.sh OUT_DIR llvmpipe
set -uo pipefail
OUT=${1:?output directory}
DEVICE=${2:-}
RUN=${RUN:-bash .gpu/run.sh java}
P=dev.lluvia.memory.benchmarks
mkdir -p "$OUT"
DEV=()
if [ -n "$DEVICE" ]; then DEV=(--device "$DEVICE"); fi
nproc > "$OUT/nproc.txt" 2>&1
lscpu > "$OUT/lscpu.txt" 2>&1 || true
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
rc=0
if command -v python3 > /dev/null && python3 -c 'import torch; assert torch.cuda.is_available()' 2> /dev/null; then
  python3 benchmarks/scripts/torch_copy.py "$OUT/torch.json" > "$OUT/torch.md" 2>&1 || rc=1
else
  echo "no python3 with CUDA torch here" > "$OUT/torch.md"
fi
$RUN -Xms4g -Xmx4g $P.TransferBenchmark "${DEV[@]}" --json "$OUT/transfers.json" > "$OUT/transfers.md" 2>&1 || rc=1
# The creation and thread runs pre-touch the heap: a short run otherwise spends much of the library's
# time in the kernel's first touch of fresh heap pages (its garbage; the peers make none), which a
# program that runs longer pays once.
$RUN -Xms2g -Xmx2g -XX:+AlwaysPreTouch $P.GpuBenchmark "${DEV[@]}" --rounds 40 --raw-rounds 3 > "$OUT/create.md" 2>&1 || rc=1
# One thread's create + close per peer in thread CPU time (library, VMA, the driver's calls alone).
$RUN -Xms2g -Xmx2g -XX:+AlwaysPreTouch $P.ThreadBenchmark "${DEV[@]}" --cpu 3000 >> "$OUT/create.md" 2>&1 || rc=1
$RUN -Xms2g -Xmx2g $P.ChurnBenchmark "${DEV[@]}" --rounds 20 > "$OUT/churn.md" 2>&1 || rc=1
# Every window is printed too (--each-window), with the garbage collections in it: the one-thread
# cell of one Memory per thread was at times far slower than the same work in the shared Memory
# (not understood; see docs/benchmark-log.md), and a run with the windows tells what moved.
for run in 1 2 3; do
  echo "Run $run of 3" >> "$OUT/threads.md"
  $RUN -Xms2g -Xmx2g -XX:+AlwaysPreTouch $P.ThreadBenchmark "${DEV[@]}" --each-window >> "$OUT/threads.md" 2>&1 || rc=1
done
# Item 4b's ratio of ratios again with the two peers' slices interleaved on the same threads: the
# windows above put each peer on new threads a second apart, and the host's stalls (50-200 ms at a
# third of the speed) fall on one peer's window and not the other's.
for run in 1 2 3; do
  echo "Interleaved run $run of 3" >> "$OUT/threads.md"
  $RUN -Xms2g -Xmx2g -XX:+AlwaysPreTouch $P.ThreadBenchmark "${DEV[@]}" --interleaved 40 >> "$OUT/threads.md" 2>&1 || rc=1
done
$RUN -Xms2g -Xmx2g $P.WritersBenchmark "${DEV[@]}" --size 128 > "$OUT/writers.md" 2>&1 || rc=1
for f in torch transfers create churn threads writers; do echo "== $f"; cat "$OUT/$f.md"; done
if [ "${PACK:-1}" = 1 ]; then
  files="nproc.txt lscpu.txt nvidia-smi.txt torch.json torch.md transfers.json transfers.md create.md churn.md threads.md writers.md"
  (cd "$OUT" && tar -czf run-gpu.tar.gz $(ls $files 2>/dev/null) && rm -f $files) || rc=1
  echo "run-gpu: results in $OUT/run-gpu.tar.gz"
fi
exit $rc
