#!/usr/bin/env bash
# Packs what a Maven/Java project needs to run its tests or programs on the
# borrowed NVIDIA GPU machine, which has no Java, no Maven, no Vulkan loader
# and no network: a small JRE, the Vulkan loader and validation layers as
# Debian packages, the project's jars, test classes and all dependency jars,
# and the JUnit console launcher.
#
# The project's copy of the coordinator's make-bundle.sh (../shared/gpu/), so that a clone has
# it: `scripts/gpu-suite.sh bundle` runs it. Differences: the JRE is packed to fit the device
# tool's 64 MiB carry limit with room (jlink --compress=0, then xz -9e: about 16 MB instead of 28 MB
# with jlink's own zip compression under xz), and it has jdk.jfr (the library's JFR events) and
# jdk.management.
#
# usage: make-bundle.sh [PROJECT_DIR [OUT_DIR]]
#   PROJECT_DIR  the Maven project root (default: current directory)
#   OUT_DIR      where the bundle goes (default: PROJECT_DIR/.gpu); it is added
#                to PROJECT_DIR/.git/info/exclude so git ignores it.
# Then on the GPU machine, with OUT_DIR's path (relative to the repo root)
# named in `carry`:
#   bash .gpu/run.sh junit [JUnit console options...]   # all test classes
#   bash .gpu/run.sh java  [java options...] MainClass   # any program
# Environment: MAVEN_OFFLINE=1 builds offline; JAVA_HOME picks the JDK that
# jlink comes from (default: the machine's JDK 17; set it to the JDK the
# project runs on); BUNDLE_EXCLUDE
# lists jar name prefixes left out (default: jazzer kotlin lincheck atomicfu).
set -euo pipefail
PROJECT_DIR=$(cd "${1:-.}" && pwd)
OUT_DIR=${2:-$PROJECT_DIR/.gpu}
mkdir -p "$OUT_DIR"; OUT_DIR=$(cd "$OUT_DIR" && pwd)
JDK=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JRE_MODULES=${JRE_MODULES:-java.base,java.logging,java.management,java.instrument,jdk.attach,jdk.unsupported,java.xml,java.desktop,jdk.jfr,jdk.management,jdk.management.jfr}

if [ -d "$PROJECT_DIR/.git" ]; then
  rel=${OUT_DIR#"$PROJECT_DIR"/}
  if [ "$rel" != "$OUT_DIR" ]; then
    mkdir -p "$PROJECT_DIR/.git/info"
    grep -qxF "/$rel/" "$PROJECT_DIR/.git/info/exclude" 2>/dev/null || echo "/$rel/" >> "$PROJECT_DIR/.git/info/exclude"
  fi
fi

# 1. A small JRE (x86-64, like the GPU machine), packed with xz to fit the carry limit. jlink's own
#    compression (--compress=2, zip) leaves xz little to find; uncompressed modules xz far better.
if [ ! -f "$OUT_DIR/jre.tar.xz" ]; then
  tmp=$(mktemp -d)
  "$JDK/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-header-files \
    --no-man-pages --compress=0 --output "$tmp/gpu-jre" >/dev/null
  strip --strip-unneeded "$tmp/gpu-jre/lib/server/libjvm.so" 2>/dev/null || true
  tar -C "$tmp" -cf - gpu-jre | xz -9e -T1 > "$OUT_DIR/jre.tar.xz"
  rm -rf "$tmp"
fi

# 2. The Vulkan loader, the GL dispatch libraries that the NVIDIA driver needs, and
#    the Khronos validation layer, as amd64 Debian packages.
if ! ls "$OUT_DIR"/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p "$OUT_DIR/debs" /tmp/gpu-bundle-apt/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpu-bundle-apt'
  apt-get $o update >/dev/null 2>&1 || true
  (cd "$OUT_DIR/debs" && apt-get $o download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 vulkan-validationlayers >/dev/null 2>&1)
fi

# 3. The JUnit console launcher.
CONSOLE_VERSION=${JUNIT_CONSOLE_VERSION:-1.14.1}
CONSOLE_JAR=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$CONSOLE_VERSION/junit-platform-console-standalone-$CONSOLE_VERSION.jar
[ -f "$CONSOLE_JAR" ] || mvn -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$CONSOLE_VERSION >/dev/null
cp "$CONSOLE_JAR" "$OUT_DIR/junit-console.jar"

# 4. The project: every module's jar and test classes, and every dependency jar.
if [ -f "$PROJECT_DIR/pom.xml" ]; then
  rm -rf "$OUT_DIR/lib" "$OUT_DIR/classes"; mkdir -p "$OUT_DIR/lib" "$OUT_DIR/classes"
  group=$(cd "$PROJECT_DIR" && mvn -q -B help:evaluate -Dexpression=project.groupId -DforceStdout 2>/dev/null || true)
  # One invocation, so that modules resolve each other inside the reactor.
  (cd "$PROJECT_DIR" && mvn -q -B ${MAVEN_OFFLINE:+-o} -DskipTests package dependency:copy-dependencies \
     -DincludeScope=test ${group:+-DexcludeGroupIds=$group} -DoutputDirectory="$OUT_DIR/lib" >/dev/null)
  # Module jars; shaded "fat" jars (over 10 MiB) would repeat every dependency.
  find "$PROJECT_DIR" -path "$OUT_DIR" -prune -o -path '*/target/*.jar' -type f \
     ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-tests.jar' ! -name 'benchmarks.jar' \
     -size -10M -newer "$PROJECT_DIR/pom.xml" -print 2>/dev/null | while read -r j; do cp "$j" "$OUT_DIR/lib/"; done
  # Test tools that cannot run there anyway (fuzzing, model checking) and make the
  # bundle too large to travel; BUNDLE_EXCLUDE='' keeps everything.
  for pat in ${BUNDLE_EXCLUDE-jazzer kotlin lincheck atomicfu}; do rm -f "$OUT_DIR"/lib/"$pat"*.jar; done
  find "$PROJECT_DIR" -path "$OUT_DIR" -prune -o -type d -path '*/target/test-classes' -print | while read -r d; do
    m=$(basename "$(dirname "$(dirname "$d")")"); cp -r "$d" "$OUT_DIR/classes/$m"
  done
fi

cat > "$OUT_DIR/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on the GPU machine: installs the carried Vulkan loader and validation
# layer, then runs java from the carried JRE with the bundle's class path.
set -uo pipefail
B=$(cd "$(dirname "$0")" && pwd)
for f in "$B"/debs/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -x /tmp/gpu-jre/bin/java ] || tar -C /tmp -xJf "$B/jre.tar.xz"
JAVA=/tmp/gpu-jre/bin/java
if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
CP=$(ls -d "$B"/lib/*.jar "$B"/classes/* 2>/dev/null | paste -sd: -)
what=${1:-junit}; shift || true
case "$what" in
  junit) exec "$JAVA" -jar "$B/junit-console.jar" execute --disable-banner \
           --class-path "$CP" $(for d in "$B"/classes/*; do [ -d "$d" ] && printf -- '--scan-class-path %s ' "$d"; done) "$@" ;;
  java)  exec "$JAVA" -cp "$CP" "$@" ;;
  *) echo "usage: run.sh junit [options] | run.sh java [options] MainClass" >&2; exit 2 ;;
esac
RUN
chmod +x "$OUT_DIR/run.sh"
du -sh "$OUT_DIR" | awk '{print "bundle: " $2 " " $1 " (the device carries at most 64 MiB with the rest of the working tree)"}'
