# Helpers the benchmark scripts share; sourced, never run. Callers define $work (where their logs go).

# Builds tessera-server.jar into $2 from the repository at $1 unless it is there already.
ensure_jar() {
  [[ -f "$2" ]] || (cd "$1" && mvn -q -B -ntp -DskipTests package -pl redis-protocol -am)
}

# Stops every process in $pids (the caller's, and those start_redis_and_tessera added) and waits for each.
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits until something answers PING on port $1 (a redis-server or a Tessera node), at most a minute.
await_ping() {
  for _ in $(seq 1 300); do
    [[ "$(redis-cli -p "$1" ping 2>/dev/null)" == PONG ]] && return 0
    sleep 0.2
  done
  echo "nothing answers PING on port $1; logs in $work" >&2; exit 1
}

# Starts a redis-server and $2 Tessera nodes of one cluster named $1 from jar $3, on free ports of 127.0.0.1 (logs in
# $work); sets redis_port and resp_ports, adds the processes to pids, and returns once every server answers PING and
# the first partition table settled.
start_redis_and_tessera() {
  local name=$1 nodes=$2 jar=$3 i members grid_ports=()
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  resp_ports=()
  for ((i = 0; i < nodes; i++)); do grid_ports+=("$(free_port)"); resp_ports+=("$(free_port)"); done
  members=$(printf '127.0.0.1:%s,' "${grid_ports[@]}"); members=${members%,}
  for ((i = 0; i < nodes; i++)); do
    java -Xms2g -Xmx2g -Djava.net.preferIPv4Stack=true -jar "$jar" --port "${resp_ports[$i]}" \
      --cluster-name "$name" --grid-port "${grid_ports[$i]}" --members "$members" --backups 1 \
      >"$work/tessera-$i.log" 2>&1 &
    pids+=($!)
  done
  await_ping "$redis_port"
  for port in "${resp_ports[@]}"; do await_ping "$port"; done
  sleep 3
}

# One redis-benchmark run for the comparison scripts: port, pipeline, extra flags; prints its CSV lines
# "test",rps,avg,min,p50,p95,p99,max. Reads the caller's tests, requests, clients, size and random.
csv_bench() {
  local port=$1 pipeline=$2
  shift 2
  redis-benchmark -p "$port" -t "$tests" -n "$requests" -c "$clients" -d "$size" -P "$pipeline" -r "$random" \
    "$@" --csv 2>/dev/null
}

# Appends "scenario,server,pipeline,round,test,rps,p50,p99" rows for one run's CSV (csv_bench's) to $out/results.csv.
record_csv() {
  local scenario=$1 server=$2 pipeline=$3 round=$4 csv=$5
  awk -F'","' -v s="$scenario" -v srv="$server" -v p="$pipeline" -v r="$round" '
    NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $8); split($1, name, " "); print s "," srv "," p "," r "," name[1] "," $2 "," $5 "," $7 }
  ' <<<"$csv" >>"$out/results.csv"
}
