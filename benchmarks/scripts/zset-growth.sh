#!/usr/bin/env bash
# Does a ZADD cost the same on a sorted set of ten members and on one of a million? ZADD throughput against one real
# redis-server and a Tessera cluster in the same run, with the set first filled to each size.
#
#   benchmarks/scripts/zset-growth.sh [--sizes "10 1000 100000 1000000"] [--requests N] [--rounds R]
#                                     [--nodes 1|3] [--jar tessera-server.jar]
#
# For each size: DEL myzset and fill it with members element:000000000000 .. element:<size-1> (ZADDs of 1,000
# members through redis-cli --pipe, then N/4 ZADDs as below; none measured), on both servers; then, R rounds (3)
# alternating between Redis and Tessera, redis-benchmark -t zadd -n N -c 50 -P 16 -r <size>: every command re-scores a
# random existing member of the one key myzset with a random score, so the set keeps its size and each ZADD moves a
# member within it. Prints the median ops/s of each side per size, and their ratio. With --nodes 3 Tessera runs three
# nodes with one synchronous backup and the benchmark talks to the first (the set's primary may be another node).
# Needs redis-server, redis-benchmark, redis-cli, java, python3; everything on 127.0.0.1.
set -euo pipefail

sizes="10 1000 100000 1000000" requests=200000 rounds=3 nodes=1 jar=""
while (($#)); do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${jar:-$root/redis-protocol/target/tessera-server.jar}
for tool in redis-server redis-benchmark redis-cli java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done
[[ -f "$jar" ]] || (cd "$root" && mvn -q -B -ntp -DskipTests package -pl redis-protocol -am)

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_redis_and_tessera "zgrowth-$$" "$nodes" "$jar"

rps() { # port size [requests] -> ops/s
  redis-benchmark -p "$1" -t zadd -n "${3:-$requests}" -c 50 -P 16 -r "$2" --csv 2>/dev/null | tail -1 | cut -d'"' -f4
}
fill() { # port size: members element:%012d (redis-benchmark's __rand_int__ form) scored by their number
  redis-cli -p "$1" del myzset >/dev/null
  python3 - "$2" <<'PY' | redis-cli -p "$1" --pipe >/dev/null
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
for start in range(0, n, 1000):
    args = [b"ZADD", b"myzset"]
    for i in range(start, min(n, start + 1000)):
        args += [str(i).encode(), b"element:%012d" % i]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
PY
  local card
  card=$(redis-cli -p "$1" zcard myzset)
  [[ $card == "$2" ]] || { echo "filling port $1 to $2 left $card members; logs in $work" >&2; exit 1; }
}
# Warm-up passes, so that neither side is measured while its JIT compiles (with one, Tessera's first measured size
# still ran at half speed).
for port in "$redis_port" "${resp_ports[0]}"; do
  fill "$port" 100000
  rps "$port" 100000 >/dev/null
  rps "$port" 100000 >/dev/null
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

printf '%-10s %14s %14s %7s\n' members redis tessera ratio
for size in $sizes; do
  fill "$redis_port" "$size"
  fill "${resp_ports[0]}" "$size"
  # After a fill (ZADDs of 1,000 members, another path through the same code) a short unmeasured run on both sides:
  # without it the JVM is measured recompiling the one-member path, at half speed or less.
  rps "$redis_port" "$size" $((requests / 4)) >/dev/null
  rps "${resp_ports[0]}" "$size" $((requests / 4)) >/dev/null
  rs=() ts=()
  for ((round = 0; round < rounds; round++)); do
    rs+=("$(rps "$redis_port" "$size")")
    ts+=("$(rps "${resp_ports[0]}" "$size")")
  done
  r=$(median "${rs[@]}") t=$(median "${ts[@]}")
  printf '%-10s %14s %14s %7s\n' "$size" "$r" "$t" "$(python3 -c "print(f'{float(\"$t\")/float(\"$r\"):.2f}')")"
done
