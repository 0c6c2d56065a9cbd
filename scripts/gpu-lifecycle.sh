#!/usr/bin/env bash
# The Vulkan lifecycle on the GPU machine, each program in a fresh JVM, counting crashes (a signal
# exit or an hs_err file): the stress program (VulkanStress: threads opening and closing sessions
# on every device with the probe between them, then a normal exit) RUNS times, and the programs of
# issue 11 (VulkanLifecycleProgram: probe or not, devices one after the other or at once, debug on
# or off, sessions closed or left open at exit) 5 times each. With EXPERIMENTS=1 also the driver
# lifecycles replayed with plain LWJGL calls (DriverLifecycleExperiment), which is how the cause
# of the crashes was found (docs/devices.md).
#
#   scripts/gpu-suite.sh bundle                  # here, once
#   scripts/gpu-lifecycle.sh OUT_DIR [RUNS]      # on the GPU machine, .gpu carried (RUNS: default 20)
#
# The programs open every device of the machine (DEVICES, default: 0 to the number of GPUs
# nvidia-smi lists less one, or 0 where it lists none; e.g. DEVICES=0,1), so one GPU or several.
# Writes OUT_DIR/summary.txt (one line per program: runs, exit statuses, crashes, the crashing
# frame) and OUT_DIR/gpu-lifecycle.tar.gz with each run's output and hs_err file (two files: the
# device tool brings back at most 8; PACK=0 leaves them unpacked); exits non-zero if any run failed
# or crashed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/.gpu
OUT=${1:?usage: gpu-lifecycle.sh OUT_DIR [RUNS]}
RUNS=${2:-20}
PARALLEL=${PARALLEL:-4}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
if [ -n "${SUITE_JAVA:-}" ]; then
  JAVA=$SUITE_JAVA
else
  bash "$B/run.sh" java -version >/dev/null 2>&1   # unpacks the loader, the layer and the JRE
  JAVA=/tmp/gpu-jre/bin/java
fi
if ! compgen -G '/usr/share/vulkan/icd.d/*.json' >/dev/null && ! compgen -G '/etc/vulkan/icd.d/*.json' >/dev/null; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
CP=$(ls -d "$B"/lib/*.jar "$B"/classes/* 2>/dev/null | paste -sd: -)
export JAVA CP OUT

# one NAME RUN ARGS...: one JVM, its output in OUT/NAME/RUN.log, its status in OUT/NAME/RUN.rc.
one() {
  local name=$1 run=$2; shift 2
  mkdir -p "$OUT/$name"
  env ${ONE_ENV:-} timeout "${RUN_TIMEOUT:-120}" "$JAVA" -XX:ErrorFile="$OUT/$name/hs_err_${run}_%p.log" -XX:ErrorLogTimeout=5 \
      -cp "$CP" "$@" > "$OUT/$name/$run.log" 2>&1
  echo $? > "$OUT/$name/$run.rc"
}
export -f one

# program NAME RUNS ARGS...: RUNS runs, PARALLEL at a time.
program() {
  local name=$1 runs=$2; shift 2
  seq 1 "$runs" | xargs -P "$PARALLEL" -I{} bash -c 'one "$@"' _ "$name" {} "$@"
}

summary() {
  local status=0
  for d in "$OUT"/*/; do
    local name; name=$(basename "$d")
    local rcs; rcs=$(cat "$d"/*.rc 2>/dev/null | sort | uniq -c | awk '{printf "%sx rc=%s ", $1, $2}')
    local crashes; crashes=$(ls "$d"/hs_err_* 2>/dev/null | wc -l)
    local frame; frame=$(grep -h -m1 -A1 '^# Problematic frame' "$d"/hs_err_* 2>/dev/null | grep -v Problematic | sort | uniq -c | head -3 | tr -s ' ' | paste -sd';' -)
    echo "$name: $(ls "$d"/*.rc 2>/dev/null | wc -l) runs, $rcs, $crashes hs_err ${frame}"
    if [ "$crashes" -gt 0 ] || grep -qv '^0$' "$d"/*.rc 2>/dev/null; then
      case "$name" in x-*) ;; *) status=1 ;; esac   # experiments (x-*) are expected to crash
    fi
  done
  return $status
}

if [ "${EXPERIMENTS:-0}" = 1 ]; then
  X=dev.lluvia.memory.vulkan.DriverLifecycleExperiment
  program x-exit-loaded-devices-open 5 $X inst dev t:rss
  program x-exit-loaded-devices-closed 5 $X inst dev undev t:rss
  program x-unload-then-exit 5 $X inst dev undev uninst
  program x-unload-then-thread-exit 5 $X inst dev undev uninst t:rss
  program x-unload-on-other-thread-then-exit 5 $X inst dev undev t:uninst
  program x-hook-unloads-devices-open 5 $X inst dev hook
  program x-hook-unloads-devices-closed 5 $X inst dev undev hook
  program x-unload-after-loading-thread-ended 5 $X t:inst dev undev t:uninst
  program x-worker-loads-hook-has-worker-unload 5 $X w:inst dev hookw
  program x-worker-loads-and-unloads-then-exit 5 $X w:inst dev undev w:uninst
  program x-pinned-unload-then-exit 3 $X pin inst dev undev uninst
  program x-churn40 1 $X churn:40 t:rss
  program x-rss 1 $X rss inst rss dev rss undev rss uninst rss libs
  ONE_ENV=LD_DEBUG=files one x-lddebug-unload 1 $X inst dev undev uninst libs t:rss
fi

P=dev.lluvia.memory.vulkan.VulkanLifecycleProgram
if [ -z "${DEVICES:-}" ]; then
  gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
  DEVICES=$(seq -s, 0 $(( ${gpus:-0} > 0 ? gpus - 1 : 0 )))
fi
echo "gpu-lifecycle: devices $DEVICES"
program issue-probe-seq-nodebug 5 $P probe seq "$DEVICES" nodebug close
program issue-probe-seq-debug 5 $P probe seq "$DEVICES" debug close
program issue-probe-par-nodebug 5 $P probe par "$DEVICES" nodebug close
program issue-noprobe-par-debug 5 $P noprobe par "$DEVICES" debug close
program issue-probe-seq-left-open 5 $P probe seq "$DEVICES" nodebug open
# Stress: RUNS JVMs, seeds 1..RUNS, 4 threads x 6 sessions each.
seq 1 "$RUNS" | xargs -P "$PARALLEL" -I{} bash -c 'one stress {} dev.lluvia.memory.vulkan.VulkanStress {} 4 6 3'

summary | tee "$OUT/summary.txt"
status=${PIPESTATUS[0]}
if [ "${PACK:-1}" = 1 ]; then
  (cd "$OUT" && find . -mindepth 1 -maxdepth 1 ! -name summary.txt ! -name gpu-lifecycle.tar.gz -printf '%P\n' \
      | tar -czf gpu-lifecycle.tar.gz -T - && find . -mindepth 1 -maxdepth 1 ! -name summary.txt \
      ! -name gpu-lifecycle.tar.gz -exec rm -rf {} +)
fi
echo "gpu-lifecycle: $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
exit "$status"
