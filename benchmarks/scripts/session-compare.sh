#!/usr/bin/env bash
# Sessions in the grid against sessions in memory and against Spring Session on redis-server, measured side by side on
# one machine. Three comparisons, each in its own phase (its processes start, are measured in alternating rounds, and
# stop before the next phase starts, so every ratio compares runs of the same phase):
#
#  rr      GET /counter through nginx, round robin (no stickiness), in front of 2 session-demo nodes (Jetty 12 ee10),
#          for three ways of keeping sessions, each on its own 2 nodes + nginx:
#            store  - in the grid through Tessera's Jetty session data store (Jetty's NullSessionCache)
#            filter - in the grid through TesseraSessionFilter (non-sticky mode; Jetty's own sessions unused)
#            memory - Jetty's default in-memory sessions (no grid member)
#          plus the bytes the grid sends per request (store and filter), see below.
#  sticky  The same through nginx hashing the session cookie (every session stays on one node): the store behind
#          Jetty's DefaultSessionCache that keeps sessions (--session-cache keep), the filter in sticky mode
#          (--sticky), and Jetty's in-memory sessions.
#  spring  Spring Session Data Redis (RedisSessionRepository over Lettuce, as Spring Boot sets it up; see
#          io.tessera.benchmarks.sessions.SpringSessionApp) on 2 nodes behind nginx round robin, its sessions in one
#          redis-server, and the same app against one tessera-server node.
#
#   benchmarks/scripts/session-compare.sh [--parts rr,sticky,spring] [--rounds R] [--duration S] [--warmup S]
#                                         [--sessions N] [--connections C] [--threads T] [--bytes-duration S]
#                                         [--store-save-period S] [--out DIR]
#
# Defaults: all three parts, 3 rounds of 10 s per variant after a warm-up of each (10-s passes until one gains less
# than 5%, at most 120 s), 64 sessions, wrk -t 2 -c 8; bytes measured over 10 s of
# sequential requests; the store with Jetty's default savePeriod 0 (see the demo's --save-period). --sessions 1 puts
# all 8 connections on one session: concurrent requests of one user, a contention case rather than a site's load.
# Every run goes to DIR/results.csv (default benchmarks/results/session-compare-<date>); at the end summarize.py
# prints the medians with p50/p99 and, with gnuplot (Debian: gnuplot-nox), draws DIR/<phase>.png.
# Needs java, nginx (Debian: nginx-light), wrk, curl, ss (iproute2) and, for spring, redis-server; builds the jars if
# they are missing. Everything listens on 127.0.0.1 only and runs as the current user; nothing is left running.
#
# How each figure is taken:
#  - Every variant gets its N sessions before it is measured, and wrk's requests cycle through them (a Lua script,
#    each thread from a random offset), so no request creates a session. With the grid and with Spring Session,
#    every node knows every session. Jetty's in-memory sessions live on one node only: behind round robin, the
#    baseline's session i is a pair (one created on each node) whose two cookies go with each request; each node finds
#    its own and ignores the other, which it does not know. Behind the sticky nginx, its sessions are created on the
#    nodes and kept if nginx routes their cookie to the node that has them (the grid's are created through nginx).
#  - Concurrent requests on one session race (last writer wins per session, or per attribute with the filter); with
#    64 sessions and 8 connections that is rare. Throughput is what is compared.
#  - Bytes: the sum of the kernel's bytes_sent (ss -ti) over every TCP connection of the two grid members' transport
#    ports, i.e. everything JGroups put on the wire in both directions: the session load (a non-sticky node reads the
#    session from its primary), the write to the primary, the synchronous backup, acknowledgements, JGroups headers,
#    and the cluster's background traffic (heartbeats, stability gossip). The background is measured on the idle
#    cluster over the same time and subtracted. Requests are sequential (wrk -c 1, one session) so no two overlap.
set -euo pipefail

parts=rr,sticky,spring rounds=3 duration=10 warmup=120 sessions=64 connections=8 threads=2 bytes_duration=10
store_save_period=0 out_dir=""
while (($#)); do
  case "$1" in
    --parts) parts=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --bytes-duration) bytes_duration=$2; shift 2 ;;
    --store-save-period) store_save_period=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
for part in ${parts//,/ }; do
  [[ $part == rr || $part == sticky || $part == spring ]] || {
    echo "--parts: unknown part '$part' (expected rr, sticky, spring)" >&2; exit 2; }
done
has_part() { [[ ",$parts," == *",$1,"* ]]; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out_dir=${out_dir:-$root/benchmarks/results/session-compare-$(date -u +%Y%m%dT%H%M)}
mkdir -p "$out_dir"
echo "scenario,server,pipeline,round,test,rps,p50_ms,p99_ms" >"$out_dir/results.csv"
demo_jar="$root/examples/target/tessera-examples.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
server_jar="$root/redis-protocol/target/tessera-server.jar"
template="$root/examples/nginx/tessera-sessions.conf"
nginx_bin=$(command -v nginx || true)
[[ -z $nginx_bin && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
[[ -n $nginx_bin ]] || { echo "nginx is missing (apt-get install -y nginx-light)" >&2; exit 1; }
for tool in wrk curl ss java python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y wrk curl iproute2)" >&2; exit 1; }
done
if has_part spring; then
  command -v redis-server >/dev/null || { echo "redis-server is missing (apt-get install -y redis-server)" >&2; exit 1; }
fi
if [[ ! -f $demo_jar || ! -f $bench_jar || ! -f $server_jar ]]; then
  (cd "$root" && mvn -q -B -ntp -DskipTests package)
fi

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
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

# start_nginx NAME BALANCING PORT1 PORT2: nginx in front of the two ports (rr or sticky); sets nginx_<NAME>
start_nginx() {
  local name=$1 balancing=$2 n dir
  n=$(free_port)
  dir="$work/nginx-$name"; mkdir -p "$dir"
  sed -e "s|@LISTEN_PORT@|$n|" -e "s|@NODE1_PORT@|$3|" -e "s|@NODE2_PORT@|$4|" \
      -e "s|@USER_DIRECTIVE@|$user_directive|" "$template" >"$dir/nginx.conf"
  if [[ $balancing == sticky ]]; then
    # Every request of a session to one node (the first request, without a cookie, hashes the empty string).
    sed -i 's|^\( *\)upstream tessera_session_demo {|&\n\1    hash $cookie_JSESSIONID consistent;|' "$dir/nginx.conf"
  fi
  "$nginx_bin" -e stderr -p "$dir/" -c "$dir/nginx.conf" -g "master_process off;" >"$dir/nginx.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$n/" && break; sleep 0.1; done
  printf -v "nginx_${name}" %s "$n"
}

# start_variant NAME BALANCING SESSIONS [DEMO OPTION...]: 2 demo nodes and nginx; sets http_<NAME>_1/2, nginx_<NAME>,
# grid_<NAME>_1/2
start_variant() {
  local name=$1 balancing=$2 kind=$3 g1 g2 h1 h2
  shift 3
  g1=$(free_grid_port); g2=$(free_grid_port); h1=$(free_port); h2=$(free_port)
  for i in 1 2; do
    local g h
    if ((i == 1)); then g=$g1 h=$h1; else g=$g2 h=$h2; fi
    java -Xmx512m -Djava.net.preferIPv4Stack=true -cp "$demo_jar" io.tessera.examples.session.SessionDemo \
      --node-name "${name//_/}${i}" --http-port "$h" --sessions "$kind" --cluster-name "bench-$name-$$" \
      --grid-port "$g" --members "127.0.0.1:$g1,127.0.0.1:$g2" --save-period "$store_save_period" "$@" \
      >"$work/$name-$i.log" 2>&1 &
    pids+=($!)
    # the first node alone, so that it is the coordinator the second one joins
    ((i == 1)) && await_line "$work/$name-1.log" "ready: http" "$name node 1"
  done
  await_line "$work/$name-2.log" "ready: http" "$name node 2"
  start_nginx "$name" "$balancing" "$h1" "$h2"
  printf -v "http_${name}_1" %s "$h1"; printf -v "http_${name}_2" %s "$h2"
  printf -v "grid_${name}_1" %s "$g1"; printf -v "grid_${name}_2" %s "$g2"
}

# new_session URL: the NAME=value pair of the session cookie (JSESSIONID, or Spring's SESSION) a fresh session got
new_session() {
  curl -s -o /dev/null -D - "$1" | tr -d '\r' \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(J\{0,1\}SESSION\(ID\)\{0,1\}=[^;]*\).*/\1/p' | head -1
}
# make_sessions FILE URL [URL2]: N sessions, one Cookie header value per line (with URL2, pairs of one on each)
make_sessions() {
  local file=$1 c1 c2
  : >"$file"
  for ((s = 0; s < sessions; s++)); do
    c1=$(new_session "$2")
    [[ -n $c1 ]] || { echo "could not create a session at $2" >&2; exit 1; }
    if (($# == 3)); then
      c2=$(new_session "$3")
      [[ -n $c2 ]] || { echo "could not create a session at $3" >&2; exit 1; }
      echo "$c1; $c2" >>"$file"
    else
      echo "$c1" >>"$file"
    fi
  done
}
# make_routed_sessions FILE VIA-URL NODE1-URL NODE2-URL: N sessions created on the nodes themselves, each kept only
# if a request through VIA (the sticky nginx) with its cookie finds it (sets no new cookie): for sessions that live on
# one node only, behind a balancer that routes by a hash of the id, which no node chooses
make_routed_sessions() {
  local file=$1 c node tries=0
  : >"$file"
  while (($(wc -l <"$file") < sessions)); do
    ((tries++ < sessions * 20)) || { echo "could not create $sessions sessions routed to their nodes" >&2; exit 1; }
    if ((tries % 2)); then node=$3; else node=$4; fi
    c=$(new_session "$node")
    [[ -n $c ]] || { echo "could not create a session at $node" >&2; exit 1; }
    if ! curl -s -o /dev/null -D - -H "Cookie: $c" "$2" | grep -qi '^set-cookie:'; then
      echo "$c" >>"$file"
    fi
  done
}
cat >"$work/sessions.lua" <<'LUA'
-- Each request carries the next session's cookie from the file named by COOKIES; each thread starts at random.
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do cookies[#cookies + 1] = line end
local next_index = 0
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  next_index = math.random(#cookies) - 1
end
function request()
  next_index = (next_index + 1) % #cookies
  return wrk.format("GET", nil, { ["Cookie"] = cookies[next_index + 1] })
end
LUA
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$1"; }
# percentile OUTPUT P: wrk's --latency percentile P (50, 99) in milliseconds
percentile() {
  awk -v p="$2%" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.3f", v * f }' <<<"$1"
}
errors() { grep -E 'Non-2xx|Socket errors' <<<"$1" || true; }
bench() { # port cookie-file seconds
  COOKIES=$2 wrk -t "$threads" -c "$connections" -d "${3}s" --latency -s "$work/sessions.lua" \
    "http://127.0.0.1:$1/counter"
}

# warm_up VARIANT: 10-s passes until one gains less than 5% on the one before (at most --warmup seconds): two JVMs
# compiling on two shared cores take a minute or more to reach their speed, and a variant measured cold loses to one
# with less code to compile
warm_up() {
  local port_var="nginx_$1" cookie_var="cookies_$1" previous=0 now passes
  for ((passes = 0; passes * 10 < warmup; passes++)); do
    now=$(rps "$(bench "${!port_var}" "${!cookie_var}" 10)")
    awk -v a="$now" -v b="$previous" 'BEGIN{exit !(a < b * 1.05)}' && break
    previous=$now
  done
  echo "warmed up $1 in $((passes + 1)) pass(es) of 10 s: $now requests/s"
}

# measure PHASE TITLE BASELINE VARIANT...: a warm-up of each, then rounds alternating the variants; prints requests/s
# and the ratio of each variant to BASELINE (variables nginx_<v> and cookies_<v> name each variant's port and
# sessions), and adds each run to results.csv
measure() {
  local phase=$1 title=$2 baseline=$3 v out header
  shift 3
  local variants=("$@")
  declare -A sum=()
  for v in "${variants[@]}"; do
    warm_up "$v"
  done
  echo
  echo "$title: GET /counter, wrk -t $threads -c $connections -d ${duration}s over $sessions session(s), $rounds rounds;" \
    "requests/s"
  header=$(printf '%-6s' round)
  for v in "${variants[@]}"; do header+=$(printf ' %14s' "$v"); done
  for v in "${variants[@]}"; do [[ $v != "$baseline" ]] && header+=$(printf ' %22s' "$v/$baseline"); done
  echo "$header"
  for ((r = 1; r <= rounds; r++)); do
    declare -A now=()
    for v in "${variants[@]}"; do
      local port_var="nginx_$v" cookie_var="cookies_$v"
      out=$(bench "${!port_var}" "${!cookie_var}" "$duration")
      errors "$out"
      now[$v]=$(rps "$out")
      local server=${v%_sticky}
      echo "$phase,${server#spring_},-,$r,GET /counter,${now[$v]},$(percentile "$out" 50),$(percentile "$out" 99)" \
        >>"$out_dir/results.csv"
      sum[$v]=$(awk -v a="${sum[$v]:-0}" -v b="${now[$v]}" 'BEGIN{print a+b}')
    done
    local line
    line=$(printf '%-6s' "$r")
    for v in "${variants[@]}"; do line+=$(printf ' %14.0f' "${now[$v]}"); done
    for v in "${variants[@]}"; do
      [[ $v != "$baseline" ]] && line+=$(awk -v a="${now[$v]}" -v b="${now[$baseline]}" 'BEGIN{printf " %22.3f", a/b}')
    done
    echo "$line"
    unset now
  done
  line=$(printf '%-6s' mean)
  for v in "${variants[@]}"; do line+=$(awk -v s="${sum[$v]}" -v n="$rounds" 'BEGIN{printf " %14.0f", s/n}'); done
  for v in "${variants[@]}"; do
    [[ $v != "$baseline" ]] && line+=$(awk -v a="${sum[$v]}" -v b="${sum[$baseline]}" 'BEGIN{printf " %22.3f", a/b}')
  done
  echo "$line"
}

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
  out=$(wrk -t 1 -c 1 -d "${bytes_duration}s" -H "Cookie: $cookie" "http://127.0.0.1:${!port_var}$2")
  after=$(grid_bytes "$1")
  errors "$out" >&2
  echo "$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out") $((after - before))"
}
idle_bytes() { # variant
  local before
  before=$(grid_bytes "$1"); sleep "$bytes_duration"; echo $(($(grid_bytes "$1") - before))
}
print_bytes() {
  echo
  echo "grid bytes per request: the sum of bytes_sent on the 2 members' transport connections (both directions), minus"
  echo "the idle cluster's background over the same time; sequential requests (wrk -c 1) through nginx round robin"
  printf '%-8s %-44s %14s %10s %12s %12s\n' variant page bytes/request requests bytes idle/period
  local v page idle n b label
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
}

if has_part rr; then
  echo "rr: starting 3 x (2 demo nodes + nginx round robin): the Jetty store, the filter, Jetty's in-memory sessions ..."
  start_variant store rr tessera
  start_variant filter rr filter
  start_variant memory rr memory
  cookies_store="$work/store.cookies"; make_sessions "$cookies_store" "http://127.0.0.1:$nginx_store/counter"
  cookies_filter="$work/filter.cookies"; make_sessions "$cookies_filter" "http://127.0.0.1:$nginx_filter/counter"
  cookies_memory="$work/memory.cookies"
  make_sessions "$cookies_memory" "http://127.0.0.1:$http_memory_1/counter" "http://127.0.0.1:$http_memory_2/counter"
  measure rr "rr (nginx round robin)" memory store filter memory
  print_bytes
  stop_all
fi

if has_part sticky; then
  echo
  echo "sticky: starting 3 x (2 demo nodes + nginx hashing JSESSIONID): the Jetty store with a keeping session cache," \
    "the filter in sticky mode, Jetty's in-memory sessions ..."
  start_variant store_sticky sticky tessera --session-cache keep
  start_variant filter_sticky sticky filter --sticky
  start_variant memory_sticky sticky memory
  for v in store_sticky filter_sticky; do
    port_var="nginx_$v"
    printf -v "cookies_$v" %s "$work/$v.cookies"
    make_sessions "$work/$v.cookies" "http://127.0.0.1:${!port_var}/counter"
  done
  cookies_memory_sticky="$work/memory_sticky.cookies"
  make_routed_sessions "$cookies_memory_sticky" "http://127.0.0.1:$nginx_memory_sticky/counter" \
    "http://127.0.0.1:$http_memory_sticky_1/counter" "http://127.0.0.1:$http_memory_sticky_2/counter"
  measure sticky "sticky (nginx hash of the session cookie)" memory_sticky store_sticky filter_sticky memory_sticky
  stop_all
fi

if has_part spring; then
  echo
  echo "spring: starting redis-server, one tessera-server node, and 2 x (2 Spring Session apps + nginx round robin) ..."
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  tessera_port=$(free_port); tessera_grid=$(free_grid_port)
  java -jar "$server_jar" --port "$tessera_port" --cluster-name "bench-spring-$$" --grid-port "$tessera_grid" \
    --members "127.0.0.1:$tessera_grid" >"$work/tessera.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    redis-cli -p "$tessera_port" ping 2>/dev/null | grep -q PONG && redis-cli -p "$redis_port" ping 2>/dev/null \
      | grep -q PONG && break
    sleep 0.2
  done
  for backend in redis tessera; do
    backend_port_var="${backend}_port" a1=$(free_port) a2=$(free_port)
    for a in "$a1" "$a2"; do
      java -Xmx512m -cp "$bench_jar" io.tessera.benchmarks.sessions.SpringSessionApp --http-port "$a" \
        --redis-port "${!backend_port_var}" >"$work/spring-$backend-$a.log" 2>&1 &
      pids+=($!)
      await_line "$work/spring-$backend-$a.log" "spring session app ready" "Spring Session app on $backend"
    done
    start_nginx "spring_$backend" rr "$a1" "$a2"
  done
  for v in spring_redis spring_tessera; do
    port_var="nginx_$v"
    printf -v "cookies_$v" %s "$work/$v.cookies"
    make_sessions "$work/$v.cookies" "http://127.0.0.1:${!port_var}/counter"
  done
  measure spring "spring (Spring Session Data Redis, 2 app nodes, nginx round robin)" spring_redis spring_redis \
    spring_tessera
  stop_all
fi

echo
echo "medians over the rounds, with wrk's latency percentiles (results in $out_dir):"
if command -v gnuplot >/dev/null; then
  python3 "$root/benchmarks/scripts/summarize.py" --charts "$out_dir" "$out_dir/results.csv"
  echo "charts: $(ls "$out_dir"/*.png | tr '\n' ' ')"
else
  python3 "$root/benchmarks/scripts/summarize.py" "$out_dir/results.csv"
  echo "(no charts: gnuplot is missing; apt-get install -y gnuplot-nox)"
fi
