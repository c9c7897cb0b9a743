#!/usr/bin/env bash
# Where a server's CPU goes under redis-benchmark, for one tessera-server node and one redis-server in the same run:
# Linux perf sampling the whole process (its event loop, the JVM's GC and compiler threads, the kernel's socket work),
# which a JFR profile does not show (JFR samples Java frames only). The VM this was written on has no hardware
# counters, so perf samples the cpu-clock software event; the node's JIT-compiled methods are named from the perf map
# that `jcmd <pid> Compiler.perfmap` writes to /tmp/perf-<pid>.map.
#
#   benchmarks/scripts/perf-profile.sh [--test incr] [--pipeline 16] [--seconds 8] [--random 100000]
#       [--jar tessera-server.jar] [--out DIR]
#
# For each server in turn: start it (Tessera with --io-threads 1, as redis-server runs one thread), write the
# keyspace once and run one unrecorded pass (JIT warm-up), then run redis-benchmark -t TEST -c 50 -d 100 -r RANDOM
# -P PIPELINE in the background and record --seconds of samples. Prints, per server, the benchmark's rate, the share of
# samples by thread, by binary (JIT code, kernel, libjvm, vdso) and the top symbols; keeps the perf data in --out
# (default benchmarks/results/perf-<date>) for `perf report -i`. Needs root or kernel.perf_event_paranoid <= 1.
set -euo pipefail

test=incr pipeline=16 seconds=8 random=100000 jar="" out=""
while (($#)); do
  case "$1" in
    --test) test=$2; shift 2 ;;
    --pipeline) pipeline=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --random) random=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${jar:-$root/redis-protocol/target/tessera-server.jar}
out=${out:-$root/benchmarks/results/perf-$(date +%Y%m%d-%H%M)}
for tool in perf redis-benchmark redis-cli redis-server java jcmd python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y linux-perf redis-tools redis-server)" >&2; exit 1; }
done
# shellcheck source=lib.sh
source "$root/benchmarks/scripts/lib.sh"
ensure_jar "$root" "$jar"
mkdir -p "$out"
work=$out

pids=()
cleanup() { stop_all; pkill -f "redis-benchmark -p $port" 2>/dev/null || true; }
trap cleanup EXIT

bench() { redis-benchmark -p "$port" -t "$1" -n "$2" -c 50 -d 100 -r "$random" -P "$pipeline" -q "${@:3}"; }

report() {
  local name=$1 data=$2
  local -
  set +o pipefail # head closes the pipes early on purpose
  echo "== $name: $(tr '\r' '\n' <"$out/$name.bench" | grep -a 'rps=' | tail -1 | sed 's/.*rps=[0-9.]* (overall: \([0-9.]*\)).*/\1 ops\/s/')"
  echo "-- samples by thread"
  perf report -i "$data" --no-children --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -6
  echo "-- by binary"
  perf report -i "$data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -6
  echo "-- top symbols"
  perf report -i "$data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' \
    | cut -c1-160 | head -15
}

profile() {
  local name=$1 pid=$2
  bench set 300000 >/dev/null 2>&1
  bench "$test" 1000000 >/dev/null 2>&1
  bench "$test" 100000000 >"$out/$name.bench" 2>&1 &
  sleep 2
  perf record -e cpu-clock -F 999 -g -p "$pid" -o "$out/$name.data" -- sleep "$seconds" >/dev/null 2>&1
  if [[ $name == tessera ]]; then
    jcmd "$pid" Compiler.perfmap >/dev/null
  fi
  pkill -f "redis-benchmark -p $port" || true
  report "$name" "$out/$name.data"
}

port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 &
pids+=($!)
await_ping "$port"
profile redis "${pids[-1]}"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true

port=$(free_port)
java -Xms2g -Xmx2g -Djava.net.preferIPv4Stack=true -XX:+PreserveFramePointer -jar "$jar" --port "$port" \
  --grid-port "$(free_port)" --cluster-name "perf-$port" --io-threads 1 >"$out/tessera.log" 2>&1 &
pids+=($!)
await_ping "$port"
profile tessera "${pids[-1]}"
