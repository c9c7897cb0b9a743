# Helpers the benchmark scripts share; sourced, never run. Callers define $work (where their logs go).

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
