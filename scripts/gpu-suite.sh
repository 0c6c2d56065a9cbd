#!/usr/bin/env bash
# The whole test suite on the NVIDIA GPU machine, one JVM per module, each with its own class path
# (the module, its dependencies, its test classes; no other module's backend) and working
# directory, as `mvn verify` runs it, with Vulkan required and validation on (the Vulkan tests
# open their sessions with debug checks). Exits non-zero if any module's tests fail or any JVM
# crashes (an hs_err file or a signal exit).
#
#   scripts/gpu-suite.sh bundle          # here: builds .gpu/ with scripts/make-bundle.sh (MAKE_BUNDLE
#                                        # names another), plus each module's test class path
#                                        # (.gpu/cp/MODULE.txt)
#   scripts/gpu-suite.sh run OUT_DIR     # on the GPU machine, from the repository root, .gpu carried:
#                                        # OUT_DIR/summary.txt, and the JUnit XML reports, logs and
#                                        # hs_err files packed in OUT_DIR/gpu-suite.tar.gz (two files:
#                                        # the device tool brings back at most 8; PACK=0 leaves them
#                                        # unpacked)
#   scripts/gpu-suite.sh selftest        # checks that a module with tests and nothing bundled fails
#                                        # the run (MISSING) rather than passing by running nothing
#
# Left out on the GPU machine: BlockAllocatorFuzzTest and MemoryLincheckTest, whose tools (Jazzer,
# Lincheck) the bundle leaves out, ReadmeQuickStartTest, which compiles the quick start with javac
# (the bundle's JRE has none), and the tests that draw a PNG (MemoryMapTest, StatsAndMapCommandTest,
# VmaDumpTest, JfrOptionTest): the bundle's JRE is jlinked from Debian's OpenJDK, whose font code loads
# the system's libharfbuzz, which the GPU machine lacks. All of them test CPU-only code and run in
# `mvn verify`. The test class path is java's own class path (not the launcher's --class-path), so
# tests that start child JVMs with java.class.path find every class there too.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/.gpu
MODULES=$(sed -n 's:.*<module>\(.*\)</module>.*:\1:p' "$ROOT/pom.xml")
# A module folder's artifact id (the jar is ARTIFACT-VERSION.jar): the first <artifactId> outside <parent>.
artifact_of() {
  awk '/<parent>/,/<\/parent>/{next} /<artifactId>/{sub(/.*<artifactId>/,""); sub(/<\/artifactId>.*/,""); print; exit}' "$ROOT/$1/pom.xml"
}
# The module folder of an artifact id (for test jars, whose classes are bundled by folder).
folder_of() {
  local m; for m in $MODULES; do [ "$(artifact_of "$m")" = "$1" ] && { echo "$m"; return; }; done; echo "$1"
}

case "${1:-}" in
selftest)
  T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
  mkdir -p "$T/scripts" "$T/allocator-core/src/test" "$T/cli"
  cp "$0" "$T/scripts/"; cp "$ROOT/pom.xml" "$T/"
  out=$(SUITE_JAVA=/bin/true SUITE_MODULES="allocator-core cli" bash "$T/scripts/gpu-suite.sh" run "$T/out" 2>&1); rc=$?
  if [ $rc -ne 0 ] && echo "$out" | grep -q '== allocator-core MISSING' && ! echo "$out" | grep -q 'cli MISSING'; then
    echo "gpu-suite selftest: ok"
  else
    echo "gpu-suite selftest: FAILED (exit $rc): $out"; exit 1
  fi
  ;;
bundle)
  set -e
  bash "${MAKE_BUNDLE:-$ROOT/scripts/make-bundle.sh}" "$ROOT"
  # Each module's own jar again, from its target/: make-bundle copies every target/*.jar, and a
  # copy of a library jar elsewhere under target/ (examples/target/lib) may be older.
  for m in $MODULES; do
    for j in "$ROOT/$m"/target/"$(artifact_of "$m")"-[0-9]*.jar; do
      case "$j" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) [ -f "$j" ] && cp "$j" "$B/lib/" ;; esac
    done
  done
  # test-compile in the same run, so that sibling modules (and the core's test jar) resolve to their
  # target/ folders inside the reactor; nothing is recompiled after make-bundle's package.
  log=$(mktemp)
  if ! (cd "$ROOT" && mvn -B -q ${MAVEN_OFFLINE:+-o} test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/gpu-test-classpath.txt > "$log" 2>&1); then
    tail -n 30 "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  mkdir -p "$B/cp"
  for m in $MODULES; do
    f=$ROOT/$m/target/gpu-test-classpath.txt
    [ -f "$f" ] || continue
    # Entries as bundle paths: reactor modules by their jar (or test classes), dependencies by file name.
    { tr ':' '\n' < "$f"; echo; } | while read -r e; do
      [ -n "$e" ] || continue
      case "$e" in
        */target/test-classes) echo "classes/$(basename "$(dirname "$(dirname "$e")")")" ;;
        */target/classes) d=$(basename "$(dirname "$(dirname "$e")")"); ls "$B"/lib/"$(artifact_of "$d")"-[0-9]*.jar 2>/dev/null | sed "s:^$B/::" ;;
        *-tests.jar) echo "classes/$(folder_of "$(basename "$e" | sed 's/-[0-9][^-]*\(-SNAPSHOT\)\?-tests\.jar$//')")" ;;
        *) [ -f "$B/lib/$(basename "$e")" ] && echo "lib/$(basename "$e")" ;;
      esac
    done > "$B/cp/$m.txt"
  done
  echo "gpu-suite: class paths of $(ls "$B/cp" | wc -l) modules in $B/cp"
  ;;
run)
  OUT=${2:?usage: gpu-suite.sh run OUT_DIR}
  mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
  if [ -n "${SUITE_JAVA:-}" ]; then
    JAVA=$SUITE_JAVA   # a machine with its own JDK and Vulkan (tries the script off the GPU machine)
  else
    bash "$B/run.sh" java -version >/dev/null 2>&1   # unpacks the loader, the layer and the JRE
    JAVA=/tmp/gpu-jre/bin/java
  fi
  if ! compgen -G '/usr/share/vulkan/icd.d/*.json' >/dev/null && ! compgen -G '/etc/vulkan/icd.d/*.json' >/dev/null; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  fi
  export LLUVIA_VULKAN_REQUIRED=1
  {
  EXCLUDE=${SUITE_EXCLUDE:-'.*\.(BlockAllocatorFuzzTest|MemoryLincheckTest|MemoryMapTest|StatsAndMapCommandTest|VmaDumpTest|JfrOptionTest|ReadmeQuickStartTest)'}
  status=0
  [ -n "${SUITE_JAVA:-}" ] || echo "gpu-suite: $(nvidia-smi -L 2>/dev/null | head -4 | paste -sd';' -)"
  for m in ${SUITE_MODULES:-$MODULES}; do
    if ! [ -d "$B/classes/$m" ] || ! [ -f "$B/cp/$m.txt" ]; then
      # A module with tests but no bundled classes or class path would pass by running nothing.
      if [ -d "$ROOT/$m/src/test" ]; then
        echo "== $m MISSING: no $B/classes/$m or $B/cp/$m.txt (rebuild with: scripts/gpu-suite.sh bundle)"
        status=1
      fi
      continue
    fi
    own=$(ls "$B"/lib/"$(artifact_of "$m")"-[0-9]*.jar 2>/dev/null | head -1)
    CP=$(echo "$own"; echo "$B/classes/$m"; sed "s:^:$B/:" "$B/cp/$m.txt")
    CP=$(echo "$CP" | grep -v '^$' | awk '!seen[$0]++' | paste -sd: -)
    echo "== $m"
    (cd "$ROOT/$m" && timeout "${SUITE_MODULE_TIMEOUT:-900}" "$JAVA" -XX:ErrorFile="$OUT/hs_err_${m}_%p.log" \
        -XX:ErrorLogTimeout=5 -Djava.awt.headless=true -Dlluvia.vulkan.required=true \
        -cp "$CP:$B/junit-console.jar" org.junit.platform.console.ConsoleLauncher execute --disable-banner \
        --details=summary --scan-class-path "$B/classes/$m" \
        --exclude-classname "$EXCLUDE" \
        --reports-dir "$OUT/$m" > "$OUT/$m.log" 2>&1)
    rc=$?
    tail -n 20 "$OUT/$m.log" | grep -E 'tests (successful|failed|aborted|skipped)|containers failed' | sed "s/^/   /"
    if [ $rc -ne 0 ]; then
      echo "   FAILED: exit status $rc (log: $OUT/$m.log)"; status=1
    fi
  done
  if ls "$OUT"/hs_err_*.log >/dev/null 2>&1; then
    echo "CRASH: $(ls "$OUT"/hs_err_*.log)"; status=1
  fi
  echo "gpu-suite: $([ $status -eq 0 ] && echo passed || echo FAILED)"
  exit $status   # leaves the { } group's subshell (it is a pipeline's first part)
  } 2>&1 | tee "$OUT/summary.txt"
  status=${PIPESTATUS[0]}
  if [ "${PACK:-1}" = 1 ]; then
    (cd "$OUT" && find . -mindepth 1 -maxdepth 1 ! -name summary.txt ! -name gpu-suite.tar.gz -printf '%P\n' \
        | tar -czf gpu-suite.tar.gz -T - && find . -mindepth 1 -maxdepth 1 ! -name summary.txt ! -name gpu-suite.tar.gz \
        -exec rm -rf {} +)
    echo "gpu-suite: reports, logs and hs_err files in $OUT/gpu-suite.tar.gz"
  fi
  exit $status
  ;;
*)
  echo "usage: scripts/gpu-suite.sh bundle | run OUT_DIR" >&2; exit 2 ;;
esac
