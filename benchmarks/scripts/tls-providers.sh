#!/usr/bin/env bash
# The TLS port's throughput with each TLS library of tessera-server (--tls-provider jdk and openssl), alternating in
# one run, with the plain port of the same node as the reference: absolute numbers on a shared machine are noise, the
# ratios of one run are the figures.
#
#   benchmarks/scripts/tls-providers.sh [--rounds R] [--requests N] [--clients C] [--size D] [--random KEYSPACE]
#       [--tests set,get] [--pipelines "1 16"] [--jar tessera-server.jar] [--out DIR]
#
# Each round starts one node per provider in turn (jdk, then openssl; --io-threads 1, --stack local, a throwaway CA
# and server certificate, --tls-auth-clients no), runs one unrecorded pass on each port (JIT warm-up), then per
# pipeline redis-benchmark --tls on the TLS port and plain on the plain port, and stops the node. Defaults: 3 rounds,
# 200000 requests, 50 clients, 100-byte values, 100000 random keys, set,get, pipelines 1 and 16. Prints the medians
# (scenario tls-port: openssl's ratio to jdk; scenario plain-port: the plain port under both nodes) and writes
# results.csv into --out (default benchmarks/results/tls-providers-<date>).
set -euo pipefail

rounds=3 requests=200000 clients=50 size=100 random=100000 tests=set,get pipelines="1 16" jar="" out=""
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --random) random=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --pipelines) pipelines=$2; shift 2 ;;
    --jar) jar=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar=${jar:-$root/redis-protocol/target/tessera-server.jar}
out=${out:-$root/benchmarks/results/tls-providers-$(date +%Y%m%d-%H%M)}
for tool in redis-benchmark redis-cli openssl java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y redis-tools openssl)" >&2; exit 1; }
done
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_jar "$root" "$jar"
mkdir -p "$out"

work=$(mktemp -d)
pids=()
trap 'stop_all; rm -rf "$work"' EXIT

# A throwaway CA and a server certificate for 127.0.0.1 (PKCS#8 key, as the node reads it).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.crt" -days 2 -subj "/CN=bench CA" \
  2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.csr" -subj "/CN=localhost" \
  2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/server.ext" -out "$work/server.crt" 2>/dev/null

echo "scenario,server,pipeline,round,test,rps,p50_ms,p99_ms" >"$out/results.csv"
{
  echo "redis-benchmark -t $tests -n $requests -c $clients -d $size -r $random, pipelines: $pipelines, $rounds rounds"
  echo "$(redis-benchmark --version), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), tessera: $jar"
} | tee "$out/setup.txt"

tls=(--tls --cacert "$work/ca.crt")
for ((round = 1; round <= rounds; round++)); do
  for provider in jdk openssl; do
    port=$(free_port) tls_port=$(free_port)
    java -jar "$jar" --stack local --cluster-name "tls-bench-$$-$round-$provider" --port "$port" \
      --tls-port "$tls_port" --tls-cert-file "$work/server.crt" --tls-key-file "$work/server.key" \
      --tls-auth-clients no --tls-provider "$provider" --io-threads 1 >"$work/tessera-$round-$provider.log" 2>&1 &
    pids+=($!)
    await_ping "$port"
    grep -o "TLS port .* served by .*" "$work/tessera-$round-$provider.log" >&2
    # One unrecorded pass first: a fresh JVM runs interpreted and compiles for its first seconds.
    csv_bench "$tls_port" 16 "${tls[@]}" >/dev/null
    csv_bench "$port" 16 >/dev/null
    for pipeline in $pipelines; do
      record_csv tls-port "$provider" "$pipeline" "$round" "$(csv_bench "$tls_port" "$pipeline" "${tls[@]}")"
      record_csv plain-port plain "$pipeline" "$round" "$(csv_bench "$port" "$pipeline")"
    done
    echo "  round $round $provider done" >&2
    stop_all
  done
done

python3 "$root/benchmarks/scripts/summarize.py" "$out/results.csv" | tee "$out/summary.txt"
