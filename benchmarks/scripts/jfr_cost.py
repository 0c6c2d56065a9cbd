#!/usr/bin/env python3
"""What the allocator's Flight Recorder events cost: runs FlightRecorderBenchmark without jdk.jfr in
the runtime (absent: the event points compiled away, as if the code had none), with it and no
recording (off) and with a recording at the JDK's default settings (on), in turn, the order rotated
each round, each run one JVM, so that a shared machine's load falls on all alike; prints per
operation the median of each over all measured iterations and the median of the rounds' ratios
off / absent and on / off (with their range).

  python3 benchmarks/scripts/jfr_cost.py --backend sim --rounds 5
  python3 benchmarks/scripts/jfr_cost.py --backend vulkan --rounds 5 --jvm /usr/lib/jvm/temurin-25-jdk-amd64/bin/java

Needs benchmarks/target/benchmarks.jar (mvn -B -q package -DskipTests).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

JAR = os.path.join(os.path.dirname(__file__), "..", "target", "benchmarks.jar")
MODES = ("absent", "off", "on")
# The modules the benchmark needs besides jdk.jfr: JMH's and LWJGL's.
WITHOUT_JFR = "--limit-modules java.base,java.logging,java.management,jdk.unsupported"


def run(args, mode, out):
    cmd = [args.jvm, "-jar", args.jar, "FlightRecorderBenchmark", "-p", "backend=" + args.backend,
           "-p", "recording=" + ("on" if mode == "on" else "off"), "-f", "1", "-wi", str(args.warmups),
           "-w", args.time, "-i", str(args.iterations), "-r", args.time, "-rf", "json", "-rff", out]
    if mode == "absent":
        cmd += ["-jvmArgsAppend", WITHOUT_JFR]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        results = json.load(f)
    # benchmark -> the measured iterations of this run (one fork)
    return {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"]["rawData"][0] for r in results}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", default="sim")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--warmups", type=int, default=3)
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--time", default="1s", help="each warm-up and measured iteration")
    p.add_argument("--jvm", default="java")
    p.add_argument("--jar", default=JAR)
    p.add_argument("--modes", default=",".join(MODES), help="a comma-separated subset of " + ",".join(MODES))
    args = p.parse_args()

    modes = tuple(m for m in MODES if m in args.modes.split(","))
    iterations = {m: {} for m in modes}
    ratios = {f"{b} / {a}": {} for a, b in (("absent", "off"), ("off", "on")) if a in modes and b in modes}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            medians = {}
            for mode in order:
                scores = run(args, mode, os.path.join(tmp, mode + ".json"))
                for bench, its in scores.items():
                    iterations[mode].setdefault(bench, []).extend(its)
                    medians[(mode, bench)] = statistics.median(its)
            for name in ratios:
                b, a = name.split(" / ")
                for bench in scores:
                    ratios[name].setdefault(bench, []).append(medians[(b, bench)] / medians[(a, bench)])
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"backend {args.backend}, {args.rounds} rounds x 1 fork x {args.iterations} iterations of {args.time} "
          f"per mode; ns/op, medians; ratios: the rounds' median (range)")
    print("| operation | " + " | ".join(modes + tuple(ratios)) + " |")
    print("|---|" + "---:|" * len(modes) + "---|" * len(ratios))
    for bench in sorted(iterations[modes[0]]):
        cells = [f"{statistics.median(iterations[m][bench]):,.1f}" for m in modes]
        for name in ratios:
            rs = ratios[name][bench]
            cells.append(f"{statistics.median(rs):.3f} ({min(rs):.3f}-{max(rs):.3f})")
        print(f"| `{bench}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
