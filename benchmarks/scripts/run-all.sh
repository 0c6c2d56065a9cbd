#!/usr/bin/env bash
# Runs the whole JMH suite plus the deterministic reports, as published in BENCHMARKS.md.
# Usage: benchmarks/scripts/run-all.sh OUT_DIR [JAVA]
#   OUT_DIR  where the JSON/text results go
#   JAVA     the java launcher (default: java on the PATH)
# Without the shaded jar (the GPU machine's bundle), set CP to the class path instead: JMH then runs
# as org.openjdk.jmh.Main on it.
# With 16 or more cores it runs 8 JMH processes side by side, each pinned to 2 cores of its own
# (taskset; not timed here, each process runs at most 21 benchmarks); with fewer cores set PARALLEL=0 to run them one
# after the other (the published run: PARALLEL=0 with shorter JMH_OPTS, about 15 minutes on 2 cores).
set -euo pipefail
OUT=${1:?output directory}
JAVA=${2:-java}
JAR=${JAR:-benchmarks/target/benchmarks.jar}
# JMH_OPTS: forks, warm-up and measurement (override for a quicker pass);
# PEERS: a comma-separated list of Peer.Kind names (default: all seven).
read -r -a COMMON <<< "${JMH_OPTS:--f 2 -wi 3 -w 500ms -i 5 -r 500ms}"
COMMON+=(-jvmArgs "-Xms2g -Xmx2g")
PEER_OPT=()
if [ -n "${PEERS:-}" ]; then PEER_OPT=(-p "peer=$PEERS"); fi
mkdir -p "$OUT"
"$JAVA" -version > "$OUT/java-version.txt" 2>&1
lscpu > "$OUT/lscpu.txt" 2>&1 || true

runs=(
  "vb1|VirtualBlockBenchmark|-p alignment=1"
  "vb16|VirtualBlockBenchmark|-p alignment=16"
  "vb64|VirtualBlockBenchmark|-p alignment=64"
  "vb256|VirtualBlockBenchmark|-p alignment=256"
  "algo-empty|AlgorithmBenchmark|-p prefilled=false"
  "algo-prefilled|AlgorithmBenchmark|-p prefilled=true"
  "scaling-random|BlockAllocatorScalingBenchmark|-p victims=RANDOM"
  "scaling-recent|BlockAllocatorScalingBenchmark|-p victims=RECENT"
)
i=0
pids=()
for r in "${runs[@]}"; do
  IFS='|' read -r name bench params <<< "$r"
  # shellcheck disable=SC2086
  popt=("${PEER_OPT[@]}")
  if [ "$bench" = BlockAllocatorScalingBenchmark ]; then popt=(); fi
  # Side by side, each JMH process would otherwise wait for the others' lock file (/tmp/jmh.lock).
  lock=(); if [ "${PARALLEL:-1}" = 1 ]; then lock=(-Djmh.ignoreLock=true); fi
  if [ -n "${CP:-}" ]; then launch=("$JAVA" "${lock[@]}" -cp "$CP" org.openjdk.jmh.Main); else launch=("$JAVA" "${lock[@]}" -jar "$JAR"); fi
  cmd=("${launch[@]}" "$bench" $params "${popt[@]}" "${COMMON[@]}" -rf json -rff "$OUT/$name.json")
  if [ "${PARALLEL:-1}" = 1 ]; then
    taskset -c $((2 * i)),$((2 * i + 1)) "${cmd[@]}" > "$OUT/$name.txt" 2>&1 &
    pids+=($!)
  else
    "${cmd[@]}" > "$OUT/$name.txt" 2>&1
  fi
  i=$((i + 1))
done
for p in "${pids[@]}"; do wait "$p"; done
RUNCP=${CP:-$JAR}
"$JAVA" -cp "$RUNCP" dev.lluvia.memory.benchmarks.FragmentationReport > "$OUT/fragmentation.md"
"$JAVA" -Xmx4g -cp "$RUNCP" dev.lluvia.memory.benchmarks.HeapReport > "$OUT/heap.md"
echo "done: $OUT"
