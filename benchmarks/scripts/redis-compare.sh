#!/usr/bin/env bash
# Side-by-side: redis-benchmark against a real redis-server and against Tessera nodes, alternating in one run, so
# that the ratio (Tessera / Redis) is measured under the same machine load. Absolute numbers on a shared machine are
# noise; the ratio is the figure.
#
#   benchmarks/scripts/redis-compare.sh [--nodes N] [--rounds R] [--requests N] [--clients C] [--size D]
#                                       [--random KEYSPACE]
#
# Defaults: 1 Tessera node, 3 rounds, 200000 requests, 50 clients, 100-byte values, one key (redis-benchmark's
# default; --random spreads the keys over KEYSPACE keys, hence over partitions); pipelines 1 and 16.
# Needs redis-server and redis-benchmark (Debian: redis-server, redis-tools) and builds the server jar if missing.
set -euo pipefail

nodes=1 rounds=3 requests=200000 clients=50 size=100 random=0
while (($#)); do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --random) random=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar="$root/redis-protocol/target/tessera-server.jar"
for tool in redis-server redis-benchmark redis-cli java; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done
if [[ ! -f "$jar" ]]; then
  (cd "$root" && mvn -q -B -ntp -DskipTests package -pl redis-protocol -am)
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
await_ping() {
  for _ in $(seq 1 300); do
    [[ "$(redis-cli -p "$1" ping 2>/dev/null)" == PONG ]] && return 0
    sleep 0.2
  done
  echo "nothing answers PING on port $1; logs in $work" >&2; exit 1
}

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  >"$work/redis.log" 2>&1 &
pids+=($!)

cluster="bench-$$"
grid_ports=() resp_ports=()
for ((i = 0; i < nodes; i++)); do grid_ports+=("$(free_port)"); resp_ports+=("$(free_port)"); done
members=$(printf '127.0.0.1:%s,' "${grid_ports[@]}"); members=${members%,}
for ((i = 0; i < nodes; i++)); do
  java -Xmx2g -Djava.net.preferIPv4Stack=true -jar "$jar" --port "${resp_ports[$i]}" --cluster-name "$cluster" \
    --grid-port "${grid_ports[$i]}" --members "$members" >"$work/tessera-$i.log" 2>&1 &
  pids+=($!)
done
await_ping "$redis_port"
for port in "${resp_ports[@]}"; do await_ping "$port"; done

# requests per second of one test from redis-benchmark's CSV ("test","rps",...)
rps() { awk -F'","' -v t="$2" '$1 == "\"" t {print $2}' <<<"$1"; }
keyspace=()
((random > 0)) && keyspace=(-r "$random")
bench() {
  redis-benchmark -p "$1" -t set,get -n "$requests" -c "$clients" -d "$size" -P "$2" "${keyspace[@]}" --csv \
    2>/dev/null
}

echo "redis-benchmark -t set,get -n $requests -c $clients -d $size ${keyspace[*]}, $rounds rounds," \
  "Tessera nodes: $nodes"
printf '%-4s %-3s %12s %12s %8s\n' test P redis tessera ratio
for pipeline in 1 16; do
  declare -A sum_redis=() sum_tessera=()
  for ((r = 0; r < rounds; r++)); do
    out_redis=$(bench "$redis_port" "$pipeline")
    out_tessera=$(bench "${resp_ports[$((r % nodes))]}" "$pipeline")
    for t in SET GET; do
      sum_redis[$t]=$(awk -v a="${sum_redis[$t]:-0}" -v b="$(rps "$out_redis" "$t")" 'BEGIN{print a+b}')
      sum_tessera[$t]=$(awk -v a="${sum_tessera[$t]:-0}" -v b="$(rps "$out_tessera" "$t")" 'BEGIN{print a+b}')
    done
  done
  for t in SET GET; do
    awk -v t="$t" -v p="$pipeline" -v r="${sum_redis[$t]}" -v s="${sum_tessera[$t]}" -v n="$rounds" \
      'BEGIN{printf "%-4s %-3s %12.0f %12.0f %8.3f\n", t, p, r/n, s/n, (r > 0 ? s/r : 0)}'
  done
  unset sum_redis sum_tessera
done
