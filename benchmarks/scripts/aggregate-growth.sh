#!/usr/bin/env bash
# Does a write cost the same on a hash or set of ten elements and on one of a million? HSET, SADD (and SPOP)
# throughput against one real redis-server and a Tessera cluster in the same run, with the key first filled to each
# size: the sibling of list-growth.sh for hashes and sets.
#
#   benchmarks/scripts/aggregate-growth.sh [--sizes "10 1000 100000 1000000"] [--requests N] [--nodes 1|3]
#                                          [--tests "hset sadd spop"] [--jar tessera-server.jar]
#
# --tests may add lpush, to compare with list-growth.sh's figures under the load of the same run.
# For each size and test: DEL the key (redis-benchmark's myhash or myset), fill it to the size with redis-benchmark
# (-P 100, random fields or members from a keyspace of 10^9, not measured), then measure redis-benchmark -t TEST
# -n N -c 50 -d 100 -P 16 -r 10^9 (every command on the one key; HSET and SADD add a new field or member almost
# every time, as LPUSH does); SPOP runs on a set filled to the size plus N, so every pop finds a member. Redis and
# Tessera alternate. With --nodes 3 Tessera runs three nodes with one synchronous backup and the benchmark talks to
# the first. Prints ops/s per size and the ratio to Redis. Needs redis-server, redis-benchmark, redis-cli, java;
# everything on 127.0.0.1.
set -euo pipefail

sizes="10 1000 100000 1000000" requests=200000 nodes=1 tests="hset sadd spop" jar=""
while (($#)); do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --nodes) nodes=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
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

start_redis_and_tessera "aggregates-$$" "$nodes" "$jar"

keyspace=1000000000
rps() { # port test -> ops/s
  redis-benchmark -p "$1" -t "$2" -n "$requests" -c 50 -d 100 -P 16 -r "$keyspace" --csv 2>/dev/null | tail -1 |
    cut -d'"' -f4
}
key_of() { case $1 in hset) echo myhash ;; lpush) echo mylist ;; *) echo myset ;; esac; }
size_of() { case $1 in hset) echo hlen ;; lpush) echo llen ;; *) echo scard ;; esac; }
fill() { # port test size
  local filler=$2
  [[ $filler == spop ]] && filler=sadd
  redis-cli -p "$1" del "$(key_of "$2")" >/dev/null
  # one client, and never a pipeline longer than what is left, so the fill stops at the size
  if (($3 > 0)); then
    redis-benchmark -p "$1" -t "$filler" -n "$3" -c 1 -d 100 -P $(($3 < 100 ? $3 : 100)) -r "$keyspace" -q \
      >/dev/null 2>&1
  fi
}
# A warm-up pass, so that neither side is measured while its JIT compiles.
for port in "$redis_port" "${resp_ports[0]}"; do
  for test in $tests; do fill "$port" "$test" 100000; rps "$port" "$test" >/dev/null; done
done

printf '%-10s %-6s %10s %14s %14s %7s\n' size test elements redis tessera ratio
for size in $sizes; do
  for test in $tests; do
    filled=$size
    [[ $test == spop ]] && filled=$((size + requests)) # every pop finds a member
    fill "$redis_port" "$test" "$filled"
    r=$(rps "$redis_port" "$test")
    fill "${resp_ports[0]}" "$test" "$filled"
    # the fill draws at random, so a few draws repeat: the size actually reached, as Tessera counts it
    card=$(redis-cli -p "${resp_ports[0]}" "$(size_of "$test")" "$(key_of "$test")")
    t=$(rps "${resp_ports[0]}" "$test")
    printf '%-10s %-6s %10s %14s %14s %7s\n' "$size" "$test" "$card" "$r" "$t" \
      "$(python3 -c "print(f'{float(\"$t\")/float(\"$r\"):.2f}')")"
  done
done
