# shellcheck shell=bash
# TCP request rate and latency through a published port, PSContainer against docker, with wrk.
# Sourced by bench/run.sh (which has started both daemons and loaded busybox): one busybox httpd
# per system, published with -p 127.0.0.1::80, and `wrk --latency` from the host against each, at
# 1 and 16 connections, RUNS times interleaved (ours docker, docker ours, ...) after WARMUP rounds.
# busybox httpd closes after every response, so every request is a new connection through the
# port path: our in-process userland proxy, or docker-proxy (the private dockerd runs with
# --iptables=false, so docker-proxy carries the loopback traffic, as it does with NAT on too).
# The same server asked directly at the container's address (no port path: "ours-direct",
# "docker-direct") is the baseline that shows how much of the figure is the server's own cost.
# Writes port-rate.jsonl (samples), port-rate.json (medians) and port-rate.md into OUT.
# Needs from run.sh: cli, quiet, log, last_error, UNAVAILABLE, WORK, OUT, RUNS, WARMUP, SMOKE.

PORT_RATE_NETWORK=pscbench-pr   # docker's user network (its dockerd has no default bridge)
PORT_RATE_CONNECTIONS="1 16"

# wrk's "50%   91.76ms" style figures in milliseconds.
port_rate_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'
}

# port_rate_wrk TARGET HOST:PORT CONNECTIONS: one wrk run; prints a JSON sample line.
port_rate_wrk() {
  local s=$1 address=$2 c=$3 seconds=5 out rps p50 p99 errors
  [ "$SMOKE" = 1 ] && seconds=1
  out=$(wrk -t1 -c"$c" -d"${seconds}s" --latency "http://$address/index.html" 2>&1) || { echo "$out" >"$WORK/last.err"; LAST_ERR=$WORK/last.err; return 1; }
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
  p50=$(port_rate_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(port_rate_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errors=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 } /Non-2xx/ { print $NF }' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
  [ -n "$rps" ] || { echo "$out" >"$WORK/last.err"; LAST_ERR=$WORK/last.err; return 1; }
  printf '{"system":"%s","connections":%s,"rps":%s,"p50_ms":%s,"p99_ms":%s,"errors":%s}\n' "$s" "$c" "$rps" "$p50" "$p99" "$errors"
}

port_rate_start() { # SYSTEM [NETWORK]: httpd container; prints "HOSTPORT CONTAINER-IP"
  local s=$1 net=${2:-} netargs=() port
  [ -n "$net" ] && netargs=(--network "$net")
  quiet cli "$s" run -d "${netargs[@]}" -p 127.0.0.1::80 --name pscb-portrate busybox \
    sh -c 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www' || return 1
  quiet cli "$s" port pscb-portrate 80/tcp || return 1
  port=$(head -n 1 "$WORK/last.out" | sed 's/.*://')
  quiet cli "$s" inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' pscb-portrate || return 1
  echo "$port $(awk '{print $1}' "$WORK/last.out")"
}

port_rate_stop() {
  [ -z "${UNAVAILABLE[ours]:-}" ] && quiet cli ours rm -f pscb-portrate
  if [ -z "${UNAVAILABLE[docker]:-}" ]; then
    quiet cli docker rm -f pscb-portrate
    quiet cli docker network rm "$PORT_RATE_NETWORK"
  fi
  [ "${BENCH_DOCKER_NETWORK:-}" = "$PORT_RATE_NETWORK" ] && BENCH_DOCKER_NETWORK=
  return 0
}

# port_rate_add SYSTEM HOSTPORT CONTAINER-IP: the published port and the direct baseline as targets
# (uses bench_port_rate's locals systems and address_of).
port_rate_add() {
  [ -n "${2:-}" ] && [ -n "${3:-}" ] || { echo "no host port or container address" >"$WORK/last.err"; LAST_ERR=$WORK/last.err; return 1; }
  systems+=("$1" "$1-direct")
  address_of[$1]=127.0.0.1:$2
  address_of[$1-direct]=$3:80
}

bench_port_rate() {
  log "port rate and latency through a published port (wrk; bench/port-rate.sh)"
  local samples=$OUT/port-rate.jsonl s c i k started
  local -A address_of=()
  local -a systems=()
  : >"$samples"
  command -v wrk >/dev/null || { log "  wrk is not installed (scripts/install-deps.sh installs it): skipped"; return 0; }
  if [ -z "${UNAVAILABLE[ours]:-}" ]; then
    if started=$(port_rate_start ours) && port_rate_add ours $started; then :
    else log "  ours: cannot publish a port: $(last_error)"; fi
  fi
  if [ -z "${UNAVAILABLE[docker]:-}" ]; then
    # Registered with run.sh's clean-up, which removes it if this run is cut short.
    BENCH_DOCKER_NETWORK=$PORT_RATE_NETWORK
    if quiet cli docker network create --driver bridge --subnet 10.213.78.0/24 -o com.docker.network.bridge.name=pscbenchpr0 "$PORT_RATE_NETWORK" &&
       started=$(port_rate_start docker "$PORT_RATE_NETWORK") && port_rate_add docker $started; then :
    else log "  docker: cannot publish a port: $(last_error)"; fi
  fi
  if [ ${#systems[@]} -eq 0 ]; then port_rate_stop; return 0; fi
  # Every target answers before anything is measured.
  for s in "${systems[@]}"; do
    for ((i = 0; i < 50; i++)); do
      wget -q -O /dev/null -T 2 "http://${address_of[$s]}/index.html" 2>/dev/null && break
      sleep 0.2
    done
  done
  local n=${#systems[@]} rounds=$((WARMUP + RUNS)) line
  for c in $PORT_RATE_CONNECTIONS; do
    for ((i = 0; i < rounds; i++)); do
      for ((k = 0; k < n; k++)); do
        s=${systems[$(((i + k) % n))]}
        if line=$(port_rate_wrk "$s" "${address_of[$s]}" "$c"); then
          [ "$i" -ge "$WARMUP" ] && echo "$line" >>"$samples"
        else
          log "  $s, $c connections: wrk failed: $(last_error)"
        fi
      done
    done
  done
  port_rate_stop
  port_rate_report "$samples"
}

# Medians per system and connection count, the ratio docker/ours for req/s (higher is better for
# us) and ours/docker for latency (lower is better for us), as JSON and as a markdown table.
port_rate_report() {
  local samples=$1
  [ -s "$samples" ] || { log "  no port-rate samples"; return 0; }
  jq -s '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    group_by([.connections, .system]) | map({connections: .[0].connections, system: .[0].system, runs: length,
      rps: (map(.rps) | median), rps_min: (map(.rps) | min), rps_max: (map(.rps) | max),
      p50_ms: (map(.p50_ms) | median), p99_ms: (map(.p99_ms) | median), errors: (map(.errors) | add)})' \
    "$samples" >"$OUT/port-rate.json"
  {
    echo "### TCP through a published port (wrk, busybox httpd, new connection per request)"
    echo
    echo "| connections | target | runs | req/s median (min–max) | latency p50 | latency p99 | errors |"
    echo "|---|---|---|---|---|---|---|"
    jq -r '.[] | "| \(.connections) | \(.system) | \(.runs) | \(.rps | floor) (\(.rps_min | floor)–\(.rps_max | floor)) | \(.p50_ms) ms | \(.p99_ms) ms | \(.errors) |"' "$OUT/port-rate.json"
    echo
    jq -r 'group_by(.connections)[] | (map({(.system): .}) | add) as $m
      | select($m.ours and $m.docker)
      | "- \(.[0].connections) connection(s): ours \($m.ours.rps / $m.docker.rps * 100 | floor / 100)x docker'"'"'s request rate, p50 latency \($m.ours.p50_ms / $m.docker.p50_ms * 100 | floor / 100)x docker'"'"'s"' "$OUT/port-rate.json"
  } >"$OUT/port-rate.md"
  log "  port rate: $OUT/port-rate.md"
  sed 's/^/    /' "$OUT/port-rate.md" >&2
}
