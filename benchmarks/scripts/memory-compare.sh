#!/usr/bin/env bash
# Memory per entry, measured in one run: redis-server's used_memory for N keys of 100-byte values (one copy, no
# replica), and the heap bytes per entry of the embedded grid and of Hazelcast with one backup (both copies, two
# members in one JVM; see MemoryCompare). Ratios to Redis are the figures; absolute numbers depend on the JVM.
#
#   benchmarks/scripts/memory-compare.sh [--entries 1000000]
set -euo pipefail

entries=1000000
while (($#)); do
  case "$1" in
    --entries) entries=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar="$root/benchmarks/target/benchmarks.jar"
[[ -f "$jar" ]] || (cd "$root" && mvn -q -B -ntp -DskipTests package)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null 2>&1 &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true' EXIT
until [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]]; do sleep 0.1; done
before=$(redis-cli -p "$port" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}')
# Keys key:0 .. key:N-1, as MemoryCompare writes them, 100-byte values.
python3 - "$entries" <<'PY' | redis-cli -p "$port" --pipe >/dev/null
import sys
value = "x" * 100
out = sys.stdout
for i in range(int(sys.argv[1])):
    key = f"key:{i}"
    out.write(f"*3\r\n$3\r\nSET\r\n${len(key)}\r\n{key}\r\n$100\r\n{value}\r\n")
PY
after=$(redis-cli -p "$port" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}')
redis_per_key=$(awk -v a="$after" -v b="$before" -v n="$entries" 'BEGIN{printf "%.1f", (a-b)/n}')

echo "entries: $entries of 100-byte values; bytes per entry (Tessera and Hazelcast: both copies, heap after GC)"
printf '%-10s %10s %8s\n' server bytes ratio
printf '%-10s %10s %8s\n' redis "$redis_per_key" 1.00
java -Xms8g -Xmx8g -XX:+UseG1GC -Djava.net.preferIPv4Stack=true -cp "$jar" \
  io.tessera.benchmarks.compare.MemoryCompare --entries "$entries" 2>/dev/null | grep -E '^(tessera|hazelcast),' |
  while IFS=, read -r server n bytes; do
    printf '%-10s %10s %8s\n' "$server" "$bytes" "$(awk -v a="$bytes" -v b="$redis_per_key" 'BEGIN{printf "%.2f", a/b}')"
  done
