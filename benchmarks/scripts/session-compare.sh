#!/usr/bin/env bash
# The session demo's figures, measured in one run on one machine:
#
#  1. Requests/s of GET /counter through nginx (round robin, no stickiness) in front of 2 demo nodes (Jetty 12 ee10),
#     for three ways of keeping sessions, each on its own 2 nodes + nginx, all running for the whole run and measured
#     in turn in every round, so that all see the same machine load; the ratios to memory are the figures:
#       store  - in the grid through Tessera's Jetty session data store (Jetty's NullSessionCache, flush on commit)
#       filter - in the grid through TesseraSessionFilter (non-sticky mode; Jetty's own sessions unused)
#       memory - Jetty's default in-memory sessions (no grid member)
#  2. Bytes the grid sends per request for a session of 10 attributes (100-character strings) of which 1 changes
#     per request (GET /attrs), and, for reference, for the counter's one-attribute session, for store and filter.
#
#   benchmarks/scripts/session-compare.sh [--rounds R] [--duration S] [--connections C] [--threads T]
#                                         [--bytes-duration S] [--store-save-period S]
#
# Defaults: 3 rounds of 10 s per variant, wrk -t 2 -c 8; bytes measured over 10 s of sequential requests; the store
# variant with Jetty's default savePeriod 0 (see the demo's --save-period).
# Needs java, nginx (Debian: nginx-light), wrk (Debian: wrk), curl and ss (iproute2); builds the examples jar if it
# is missing. Everything listens on 127.0.0.1 only and runs as the current user; nothing is left running.
#
# How each figure is taken:
#  - wrk sends one session cookie with every request (-H Cookie). With the grid, both nodes know the session. Jetty's
#    in-memory sessions live on one node only, so the baseline gets one session per node (created directly on each
#    node) and sends both cookies: each node finds its own session and ignores the other, which it does not know;
#    no request creates a new session. The in-memory counts therefore split between the nodes.
#  - With C concurrent connections on one session, concurrent requests on different nodes race on the session
#    (Jetty's store: last writer wins per session; the filter merges per attribute, but the counter's one attribute
#    is read-modify-written by the servlet), so the final count is below the request count; the script prints both.
#    Throughput is what is compared, not the count.
#  - Bytes: the sum of the kernel's bytes_sent (ss -ti) over every TCP connection of the two grid members' transport
#    ports, i.e. everything JGroups put on the wire in both directions: the session load (a non-sticky node reads the
#    session from its primary), the write to the primary, the synchronous backup, acknowledgements, JGroups headers,
#    and the cluster's background traffic (heartbeats, stability gossip). The background is measured on the idle
#    cluster over the same time and subtracted. Requests are sequential (wrk -c 1) so no two overlap.
set -euo pipefail

rounds=3 duration=10 connections=8 threads=2 bytes_duration=10 store_save_period=0
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --bytes-duration) bytes_duration=$2; shift 2 ;;
    --store-save-period) store_save_period=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jar="$root/examples/target/tessera-examples.jar"
template="$root/examples/nginx/tessera-sessions.conf"
nginx_bin=$(command -v nginx || true)
[[ -z $nginx_bin && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
[[ -n $nginx_bin ]] || { echo "nginx is missing (apt-get install -y nginx-light)" >&2; exit 1; }
for tool in wrk curl ss java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y wrk curl iproute2)" >&2; exit 1; }
done
if [[ ! -f "$jar" ]]; then
  (cd "$root" && mvn -q -B -ntp -DskipTests package -pl examples -am)
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
# A free port p whose FD_SOCK2 port (p + 100 .. p + 103) is free too.
free_grid_port() {
  python3 - <<'PY'
import random, socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
while True:
    p = random.randint(20000, 40000)
    if all(free(q) for q in [p] + list(range(p + 100, p + 104))):
        print(p); break
PY
}
await_line() { # file pattern what
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$3 did not start; its log:" >&2; cat "$1" >&2; exit 1
}
user_directive=""
[[ $(id -u) == 0 ]] && user_directive="user root;"

# start_variant NAME SESSIONS: 2 demo nodes and nginx; sets http_<NAME>_1/2, nginx_<NAME>, grid_<NAME>_1/2
start_variant() {
  local name=$1 sessions=$2 g1 g2 h1 h2 n dir
  g1=$(free_grid_port); g2=$(free_grid_port); h1=$(free_port); h2=$(free_port); n=$(free_port)
  for i in 1 2; do
    local g h
    if ((i == 1)); then g=$g1 h=$h1; else g=$g2 h=$h2; fi
    java -Xmx512m -Djava.net.preferIPv4Stack=true -cp "$jar" io.tessera.examples.session.SessionDemo \
      --node-name "${name}${i}" --http-port "$h" --sessions "$sessions" --cluster-name "bench-$name-$$" \
      --grid-port "$g" --members "127.0.0.1:$g1,127.0.0.1:$g2" --save-period "$store_save_period" \
      >"$work/$name-$i.log" 2>&1 &
    pids+=($!)
    # the first node alone, so that it is the coordinator the second one joins
    ((i == 1)) && await_line "$work/$name-1.log" "ready: http" "$name node 1"
  done
  await_line "$work/$name-2.log" "ready: http" "$name node 2"
  dir="$work/nginx-$name"; mkdir -p "$dir"
  sed -e "s|@LISTEN_PORT@|$n|" -e "s|@NODE1_PORT@|$h1|" -e "s|@NODE2_PORT@|$h2|" \
      -e "s|@USER_DIRECTIVE@|$user_directive|" "$template" >"$dir/nginx.conf"
  "$nginx_bin" -e stderr -p "$dir/" -c "$dir/nginx.conf" -g "master_process off;" >"$dir/nginx.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$n/" && break; sleep 0.1; done
  printf -v "http_${name}_1" %s "$h1"; printf -v "http_${name}_2" %s "$h2"; printf -v "nginx_${name}" %s "$n"
  printf -v "grid_${name}_1" %s "$g1"; printf -v "grid_${name}_2" %s "$g2"
}

# new_session URL: the JSESSIONID=... pair of a fresh session created by URL
new_session() {
  curl -s -o /dev/null -D - "$1" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(JSESSIONID=[^;]*\).*/\1/p' | head -1
}
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$1"; }
total_requests() { sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$1"; }
errors() { grep -E 'Non-2xx|Socket errors' <<<"$1" || true; }

echo "starting 3 x (2 demo nodes + nginx): sessions in the grid through Tessera's Jetty session store (store)," \
  "through TesseraSessionFilter (filter), and Jetty's in-memory sessions (memory) ..."
start_variant store tessera
start_variant filter filter
start_variant memory memory

store_cookie=$(new_session "http://127.0.0.1:$nginx_store/counter")
filter_cookie=$(new_session "http://127.0.0.1:$nginx_filter/counter")
memory_cookie="$(new_session "http://127.0.0.1:$http_memory_1/counter"); $(new_session "http://127.0.0.1:$http_memory_2/counter")"
[[ -n $store_cookie && -n $filter_cookie && $memory_cookie == JSESSIONID=*\;\ JSESSIONID=* ]] || {
  echo "could not create the sessions ($store_cookie / $filter_cookie / $memory_cookie)" >&2; exit 1; }

bench() { # port cookie seconds connections threads path
  wrk -t "$5" -c "$4" -d "${3}s" -H "Cookie: $2" "http://127.0.0.1:$1$6"
}
variants=(store filter memory)
declare -A sum=() requests=([store]=1 [filter]=1 [memory]=2) # the requests that created the sessions
# warm-up: JIT and connection pools of every variant
for v in "${variants[@]}"; do
  port_var="nginx_$v" cookie_var="${v}_cookie"
  out=$(bench "${!port_var}" "${!cookie_var}" 5 "$connections" "$threads" /counter)
  requests[$v]=$((${requests[$v]} + $(total_requests "$out")))
done

echo
echo "GET /counter through nginx (round robin, 2 nodes), wrk -t $threads -c $connections -d ${duration}s, one" \
  "session, $rounds rounds; requests/s"
printf '%-6s %10s %10s %10s %14s %14s\n' round store filter memory store/memory filter/memory
for ((r = 1; r <= rounds; r++)); do
  declare -A now=()
  for v in "${variants[@]}"; do
    port_var="nginx_$v" cookie_var="${v}_cookie"
    out=$(bench "${!port_var}" "${!cookie_var}" "$duration" "$connections" "$threads" /counter)
    errors "$out"
    now[$v]=$(rps "$out")
    sum[$v]=$(awk -v a="${sum[$v]:-0}" -v b="${now[$v]}" 'BEGIN{print a+b}')
    requests[$v]=$((${requests[$v]:-0} + $(total_requests "$out")))
  done
  awk -v r="$r" -v s="${now[store]}" -v f="${now[filter]}" -v m="${now[memory]}" \
    'BEGIN{printf "%-6s %10.0f %10.0f %10.0f %14.3f %14.3f\n", r, s, f, m, s/m, f/m}'
  unset now
done
awk -v s="${sum[store]}" -v f="${sum[filter]}" -v m="${sum[memory]}" -v n="$rounds" \
  'BEGIN{printf "%-6s %10.0f %10.0f %10.0f %14.3f %14.3f\n", "mean", s/n, f/n, m/n, s/m, f/m}'
count_s=$(curl -s -H "Cookie: $store_cookie" "http://127.0.0.1:$nginx_store/counter")
count_f=$(curl -s -H "Cookie: $filter_cookie" "http://127.0.0.1:$nginx_filter/counter")
count_m1=$(curl -s -H "Cookie: $memory_cookie" "http://127.0.0.1:$http_memory_1/counter")
count_m2=$(curl -s -H "Cookie: $memory_cookie" "http://127.0.0.1:$http_memory_2/counter")
echo "final counts after all requests incl. warm-up and this one (concurrent requests on one session race):" \
  "store $count_s of $((${requests[store]} + 1)), filter $count_f of $((${requests[filter]} + 1)), memory" \
  "$count_m1 + $count_m2 of $((${requests[memory]} + 2)) (node1 + node2, one session each)"

# --- bytes on the grid per request --------------------------------------------------------------------------------
grid_bytes() { # variant: total bytes_sent of every established TCP connection of its members' transport ports
  local g1_var="grid_${1}_1" g2_var="grid_${1}_2"
  local g1=${!g1_var} g2=${!g2_var}
  ss -tinH state established "( sport = :$g1 or dport = :$g1 or sport = :$g2 or dport = :$g2 )" \
    | grep -o 'bytes_sent:[0-9]*' | awk -F: '{s += $2} END {print s + 0}'
}
measure_bytes() { # variant path -> prints "requests bytes"
  local port_var="nginx_$1" cookie out before after
  cookie=$(new_session "http://127.0.0.1:${!port_var}$2")
  curl -s -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:${!port_var}$2" # the session exists on both sides
  before=$(grid_bytes "$1")
  out=$(bench "${!port_var}" "$cookie" "$bytes_duration" 1 1 "$2")
  after=$(grid_bytes "$1")
  errors "$out" >&2
  echo "$(total_requests "$out") $((after - before))"
}
idle_bytes() { # variant
  local before
  before=$(grid_bytes "$1"); sleep "$bytes_duration"; echo $(($(grid_bytes "$1") - before))
}
echo
echo "grid bytes per request: the sum of bytes_sent on the 2 members' transport connections (both directions), minus"
echo "the idle cluster's background over the same time; sequential requests (wrk -c 1) through nginx"
printf '%-8s %-44s %14s %10s %12s %12s\n' variant page bytes/request requests bytes idle/period
for v in store filter; do
  idle=$(idle_bytes "$v")
  for page in /attrs /counter; do
    read -r n b < <(measure_bytes "$v" "$page")
    label="/counter (1 Integer attribute, changed)"
    [[ $page == /attrs ]] && label="/attrs (10 attributes x 100 chars, 1 changed)"
    awk -v v="$v" -v l="$label" -v n="$n" -v b="$b" -v i="$idle" \
      'BEGIN{printf "%-8s %-44s %14.0f %10d %12d %12d\n", v, l, (b - i) / n, n, b, i}'
  done
done
