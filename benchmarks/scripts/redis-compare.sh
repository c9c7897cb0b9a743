#!/usr/bin/env bash
# Side-by-side: redis-benchmark against a real redis-server and against Tessera, alternating in one run, so that the
# ratio (Tessera / Redis) is measured under the same machine load. Absolute numbers on a shared machine are noise;
# the ratio is the figure.
#
#   benchmarks/scripts/redis-compare.sh [--scenarios single,proxy,cluster] [--rounds R] [--requests N]
#       [--clients C] [--size D] [--random KEYSPACE] [--tests set,get,...] [--pipelines "1 16"]
#       [--jar tessera-server.jar] [--baseline-jar older-tessera-server.jar] [--out DIR]
#
# Scenarios (each against one redis-server, as a user would choose between the two):
#   single   one Tessera node
#   proxy    three Tessera nodes with one synchronous backup, every client connected to the first node, which
#            forwards each key to its primary
#   cluster  the same three nodes driven by redis-benchmark --cluster: clients read CLUSTER SLOTS and send each
#            key to its primary, as JedisCluster and Lettuce's cluster client do
# With --baseline-jar, the older build runs too (as "baseline") in every round, so one run shows a change's effect.
#
# Defaults: all three scenarios, 3 rounds, 100000 requests per test, 50 clients, 100-byte values, 100000 random keys,
# tests set,get,incr,lpush,hset,sadd, pipelines 1 and 16. Prints, per scenario, test and pipeline, the median over the
# rounds of ops/s, p50 and p99 (ms) for each server and the ratio of medians to Redis; writes results.csv and, when
# gnuplot is installed (Debian: gnuplot-nox), one PNG chart per scenario (ratio of throughput and p99 side by side)
# into --out (default benchmarks/results/redis-compare-<date>).
set -euo pipefail

scenarios=single,proxy,cluster rounds=3 requests=100000 clients=50 size=100 random=100000
tests=set,get,incr,lpush,hset,sadd pipelines="1 16" jar="" baseline_jar="" out=""
while (($#)); do
  case "$1" in
    --scenarios) scenarios=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --random) random=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --pipelines) pipelines=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --baseline-jar) baseline_jar=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${jar:-$root/redis-protocol/target/tessera-server.jar}
out=${out:-$root/benchmarks/results/redis-compare-$(date +%Y%m%d-%H%M)}
for tool in redis-server redis-benchmark redis-cli java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_jar "$root" "$jar"
mkdir -p "$out"

work=$(mktemp -d)
pids=()
trap 'stop_all; rm -rf "$work"' EXIT
# Waits until a Tessera node reports every slot covered by a settled table of $2 members.
await_cluster() {
  for _ in $(seq 1 300); do
    if [[ "$(redis-cli -p "$1" cluster info 2>/dev/null | tr -d '\r' | grep -E '^cluster_(state|known_nodes)' \
      | sort | tr '\n' ' ')" == "cluster_known_nodes:$2 cluster_state:ok " ]]; then
      return 0
    fi
    sleep 0.2
  done
  echo "the $2-node Tessera cluster did not settle; logs in $work" >&2; exit 1
}

# Starts $2 Tessera nodes of jar $1 (one synchronous backup); their RESP ports go to the array named $3.
start_tessera() {
  local node_jar=$1 count=$2 cluster="bench-$$-$RANDOM" i
  local -n ports_out=$3
  local grid_ports=()
  ports_out=()
  for ((i = 0; i < count; i++)); do grid_ports+=("$(free_port)"); ports_out+=("$(free_port)"); done
  local members
  members=$(printf '127.0.0.1:%s,' "${grid_ports[@]}"); members=${members%,}
  for ((i = 0; i < count; i++)); do
    java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -Djava.net.preferIPv4Stack=true -jar "$node_jar" \
      --port "${ports_out[$i]}" --cluster-name "$cluster" --grid-port "${grid_ports[$i]}" --members "$members" \
      --backups 1 >"$work/tessera-$cluster-$i.log" 2>&1 &
    pids+=($!)
  done
  for port in "${ports_out[@]}"; do await_ping "$port"; done
  await_cluster "${ports_out[0]}" "$count"
}

echo "scenario,server,pipeline,round,test,rps,p50_ms,p99_ms" >"$out/results.csv"
{
  echo "redis-benchmark -t $tests -n $requests -c $clients -d $size -r $random, pipelines: $pipelines, $rounds rounds"
  echo "redis-server $(redis-server --version | grep -o 'v=[0-9.]*'), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "tessera: $jar${baseline_jar:+, baseline: $baseline_jar}"
} | tee "$out/setup.txt"

run_scenario() {
  local scenario=$1 nodes=3 flags=() round pipeline
  [[ $scenario == single ]] && nodes=1
  [[ $scenario == cluster ]] && flags=(--cluster)
  local redis_port
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    >"$work/redis.log" 2>&1 &
  pids+=($!)
  await_ping "$redis_port"
  local tessera_ports=() baseline_ports=()
  start_tessera "$jar" "$nodes" tessera_ports
  [[ -n $baseline_jar ]] && start_tessera "$baseline_jar" "$nodes" baseline_ports
  # One unrecorded pass first: a fresh JVM runs interpreted and compiles for its first seconds, which is not what a
  # long-running server is measured on.
  for pipeline in $pipelines; do
    csv_bench "${tessera_ports[0]}" "$pipeline" "${flags[@]}" >/dev/null
    [[ -n $baseline_jar ]] && csv_bench "${baseline_ports[0]}" "$pipeline" "${flags[@]}" >/dev/null
  done
  echo "  $scenario warmed up" >&2
  for ((round = 1; round <= rounds; round++)); do
    for pipeline in $pipelines; do
      record_csv "$scenario" redis "$pipeline" "$round" "$(csv_bench "$redis_port" "$pipeline")"
      record_csv "$scenario" tessera "$pipeline" "$round" "$(csv_bench "${tessera_ports[0]}" "$pipeline" "${flags[@]}")"
      if [[ -n $baseline_jar ]]; then
        record_csv "$scenario" baseline "$pipeline" "$round" "$(csv_bench "${baseline_ports[0]}" "$pipeline" "${flags[@]}")"
      fi
      echo "  $scenario round $round -P $pipeline done" >&2
    done
  done
  stop_all
}

IFS=, read -ra scenario_list <<<"$scenarios"
for scenario in "${scenario_list[@]}"; do
  case "$scenario" in single | proxy | cluster) run_scenario "$scenario" ;;
    *) echo "unknown scenario $scenario (single, proxy, cluster)" >&2; exit 2 ;;
  esac
done

python3 "$root/benchmarks/scripts/summarize.py" "$out/results.csv" | tee "$out/summary.txt"
if command -v gnuplot >/dev/null; then
  python3 "$root/benchmarks/scripts/summarize.py" --charts "$out" "$out/results.csv" >/dev/null
  echo "charts: $(ls "$out"/*.png | tr '\n' ' ')"
else
  echo "(gnuplot is not installed: no charts; apt-get install -y gnuplot-nox)"
fi
echo "results in $out"
