#!/usr/bin/env bash
# Does a push cost the same on a list of ten elements and on one of a million? LPUSH (and RPOP) throughput against
# one real redis-server and a Tessera cluster in the same run, with the list first filled to each size.
#
#   benchmarks/scripts/list-growth.sh [--sizes "10 1000 100000 1000000"] [--requests N] [--nodes 1|3]
#                                     [--jar tessera-server.jar]
#
# For each size: DEL mylist, fill it to the size with redis-benchmark (-t lpush, -P 100, not measured), then measure
# redis-benchmark -t lpush -n N -c 50 -d 100 -P 16 (every command pushes onto the one key mylist); then the same for
# -t rpop on a list filled to the size plus N, so every pop finds an element. Redis and Tessera alternate. With --nodes 3 Tessera runs three nodes with one synchronous backup and the
# benchmark talks to the first (the list's primary may be another node). Prints ops/s per size and the ratio to
# Redis. Needs redis-server, redis-benchmark, redis-cli, java; everything on 127.0.0.1.
set -euo pipefail

sizes="10 1000 100000 1000000" requests=200000 nodes=1 jar=""
while (($#)); do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
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

start_redis_and_tessera "growth-$$" "$nodes" "$jar"

rps() { # port test -> ops/s
  redis-benchmark -p "$1" -t "$2" -n "$requests" -c 50 -d 100 -P 16 --csv 2>/dev/null | tail -1 | cut -d'"' -f4
}
fill() { # port size
  redis-cli -p "$1" del mylist >/dev/null
  if (($2 > 0)); then redis-benchmark -p "$1" -t lpush -n "$2" -c 20 -d 100 -P 100 -q >/dev/null 2>&1; fi
}
# A warm-up pass, so that neither side is measured while its JIT compiles.
for port in "$redis_port" "${resp_ports[0]}"; do fill "$port" 100000; rps "$port" lpush >/dev/null; done

printf '%-10s %-6s %14s %14s %7s\n' size test redis tessera ratio
for size in $sizes; do
  for test in lpush rpop; do
    filled=$size
    [[ $test == rpop ]] && filled=$((size + requests)) # every pop finds an element
    fill "$redis_port" "$filled"
    r=$(rps "$redis_port" "$test")
    fill "${resp_ports[0]}" "$filled"
    t=$(rps "${resp_ports[0]}" "$test")
    printf '%-10s %-6s %14s %14s %7s\n' "$size" "$test" "$r" "$t" \
      "$(python3 -c "print(f'{float(\"$t\")/float(\"$r\"):.2f}')")"
  done
done
