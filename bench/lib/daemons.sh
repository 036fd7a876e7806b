# Sourced by bench/run.sh: the private daemons (dockerd, psc-engine, docker-registry), the podman
# wrapper, and the clean-up that stops everything this run started.
# Nothing here touches the machine's own daemons: every socket, data root, exec root and state
# directory lives under WORK, and processes are stopped by the PIDs this script recorded.

DOCKER_CLI=${DOCKER_CLI:-docker}
DOCKER_SOCK=$WORK/docker.sock
OURS_SOCK=$WORK/psc.sock
DOCKER_PID=; OURS_PID=; REGISTRY_PID=
# The docker CLI's own config (contexts, auth) is private too. podman reads DOCKER_CONFIG for
# credentials as well and fails when the directory has no config.json.
export DOCKER_CONFIG=$WORK/docker-cli
mkdir -p "$DOCKER_CONFIG" && echo '{}' >"$DOCKER_CONFIG/config.json"
unset DOCKER_HOST DOCKER_CONTEXT

PODMAN_ARGS=(--root "$WORK/podman/root" --runroot "$WORK/podman/run" --tmpdir "$WORK/podman/tmp"
  --cgroup-manager cgroupfs --events-backend file --runtime "$(command -v runc || echo runc)")
# Raising a hard rlimit fails on these machines (DESIGN.md §6), and podman raises nofile/nproc by
# default; these values are at or below the hard limits here.
PODMAN_RUN_ARGS=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)

# cli SYSTEM ARGS...: the client of each system: the docker CLI on our engine's or the private
# dockerd's socket, or podman on its private storage. Every call has a time limit (CLI_TIMEOUT,
# `timeout` costs the same fork+exec for every system): a system whose command hangs is not
# available from then on, so one hung daemon cannot stall the whole run.
CLI_TIMEOUT=${CLI_TIMEOUT:-120}
cli() {
  local system=$1 rc; shift
  case $system in
    ours) timeout --foreground -k 5 "$CLI_TIMEOUT" "$DOCKER_CLI" -H "unix://$OURS_SOCK" "$@" ;;
    docker) timeout --foreground -k 5 "$CLI_TIMEOUT" "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" "$@" ;;
    podman) timeout --foreground -k 5 "$CLI_TIMEOUT" podman "${PODMAN_ARGS[@]}" "$@" ;;
    *) die "cli: unknown system $system" ;;
  esac
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "error: \`$1\` did not finish within ${CLI_TIMEOUT}s" >&2
    UNAVAILABLE[$system]="a \`$1\` did not finish within ${CLI_TIMEOUT}s; not measured from then on"
  fi
  return $rc
}

# run_args SYSTEM: the options every `run` gets: no network (the figures compare container
# start-up, not network set-up; our dockerd runs with --bridge=none) and podman's rlimits.
run_args() {
  echo --network none
  [ "$1" = podman ] && echo "${PODMAN_RUN_ARGS[@]}"
}

# alive PID: running (not gone, not a zombie). The state follows the last ')' of /proc/PID/stat,
# since a command name may hold spaces.
alive() {
  local state
  state=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}

# stop_pid PID NAME [SECONDS]: SIGTERM, wait, then SIGKILL. Only for PIDs this script started.
stop_pid() {
  local pid=$1 name=$2 limit=${3:-30} i
  [ -n "$pid" ] && alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < limit * 20; i++)); do
    alive "$pid" || break
    sleep 0.05
  done
  if alive "$pid"; then
    log "$name (pid $pid) did not stop in ${limit}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true
}

# start_daemon VAR_PID SOCKET LOG CMD...: starts a daemon and measures its cold start. A poller
# (psc-bench wait-ping) is started first and announces readiness, so its own start-up is outside
# the measurement; then the daemon is exec'd and the poller reports the first 200 from /_ping.
# Sets COLD_START (seconds). On failure returns 1 with the reason in START_ERROR.
COLD_START=; START_ERROR=
start_daemon() {
  local var=$1 sock=$2 logfile=$3
  shift 3
  local ready=$WORK/poller.ready result=$WORK/poller.out poller pid t0 answered
  rm -f "$sock" "$ready" "$result"
  "$BENCH_TOOL" wait-ping --socket "$sock" --ready "$ready" --timeout 90 >"$result" 2>>"$logfile" &
  poller=$!
  until [ -e "$ready" ]; do
    alive "$poller" || { START_ERROR="psc-bench wait-ping did not start"; return 1; }
    sleep 0.01
  done
  t0=$(now_us)
  "$@" </dev/null >>"$logfile" 2>&1 &
  pid=$!
  printf -v "$var" '%s' "$pid"
  while alive "$poller"; do
    if ! alive "$pid"; then
      kill "$poller" 2>/dev/null; wait "$poller" 2>/dev/null
      wait "$pid" 2>/dev/null
      START_ERROR="exited during start-up: $(grep -v '^[[:space:]]*$' "$logfile" | tail -n 1 | cut -c1-160)"
      printf -v "$var" '%s' ""
      return 1
    fi
    sleep 0.02
  done
  if ! wait "$poller"; then
    START_ERROR="no answer on /_ping within 90 s: $(grep -v '^[[:space:]]*$' "$logfile" | tail -n 1 | cut -c1-160)"
    stop_pid "$pid" "$1"
    printf -v "$var" '%s' ""
    return 1
  fi
  answered=$(jq -r .answered_us "$result")
  COLD_START=$(seconds_between "$t0" "$answered")
}

# ---- dockerd: private socket, data root, exec root, pid file, config file; it starts and owns
# its own containerd (no --containerd), whose state lives under the exec root. No iptables, no
# masquerading, no default bridge: it touches no host networking.
dockerd_cmd() {
  mkdir -p "$WORK/docker"
  [ -f "$WORK/docker/daemon.json" ] || echo '{}' >"$WORK/docker/daemon.json"
  echo dockerd --host "unix://$DOCKER_SOCK" --data-root "$WORK/docker/data" --exec-root "$WORK/docker/exec" \
    --pidfile "$WORK/docker/docker.pid" --config-file "$WORK/docker/daemon.json" \
    --iptables=false --ip6tables=false --ip-masq=false --bridge=none --log-level warn
}
start_docker() {
  local cmd
  read -r -a cmd <<<"$(dockerd_cmd)"
  start_daemon DOCKER_PID "$DOCKER_SOCK" "$WORK/docker/log" "${cmd[@]}"
}
stop_docker() {
  [ -n "$DOCKER_PID" ] || return 0
  stop_pid "$DOCKER_PID" dockerd 30
  DOCKER_PID=
  # dockerd stops its containerd on the way out; if it was killed, containerd is left: stop it too.
  local c; c=$(cat "$WORK/docker/exec/containerd/containerd.pid" 2>/dev/null)
  [ -n "$c" ] && grep -qF "$WORK" "/proc/$c/cmdline" 2>/dev/null && stop_pid "$c" containerd 10
  return 0
}
# The daemon's processes for memory figures: dockerd and the containerd it started.
docker_daemon_pids() { descendants "$DOCKER_PID"; }

# ---- psc-engine: private data root, exec root and socket.
# PSC_ENGINE_ARGS adds options (for example a config file).
# Its bridges, veths and iptables chains carry a prefix of the run's own (never the default psc0/PSC
# of an engine installed on the machine), and cleanup removes them.
OURS_NET_PREFIX=pscb$((RANDOM % 90 + 10))
ours_cmd() {
  echo "$PSC_BIN/psc-engine" --data-root "$WORK/psc/data" --exec-root "$WORK/psc/exec" --host "unix://$OURS_SOCK" \
    --network-prefix "$OURS_NET_PREFIX" ${PSC_ENGINE_ARGS:-}
}
start_ours() {
  local cmd
  mkdir -p "$WORK/psc"
  read -r -a cmd <<<"$(ours_cmd)"
  start_daemon OURS_PID "$OURS_SOCK" "$WORK/psc/engine.log" "${cmd[@]}"
}
stop_ours() {
  [ -n "$OURS_PID" ] || return 0
  stop_pid "$OURS_PID" psc-engine 30
  OURS_PID=
}
ours_daemon_pids() { descendants "$OURS_PID"; }

# ---- docker-registry (the CNCF distribution registry from Debian) on 127.0.0.1, for pulls.
REGISTRY=
start_registry() {
  local port
  mkdir -p "$WORK/registry/data"
  port=$(free_port) || return 1
  cat >"$WORK/registry/config.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $WORK/registry/data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$port
EOF
  docker-registry serve "$WORK/registry/config.yml" </dev/null >>"$WORK/registry/log" 2>&1 &
  REGISTRY_PID=$!
  local i
  for ((i = 0; i < 200; i++)); do
    curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { REGISTRY=127.0.0.1:$port; return 0; }
    alive "$REGISTRY_PID" || break
    sleep 0.05
  done
  LAST_ERR=$WORK/registry/log
  return 1
}
stop_registry() { stop_pid "$REGISTRY_PID" docker-registry 10; REGISTRY_PID=; }

# free_port: a TCP port on 127.0.0.1 nobody listens on (from the ephemeral range's lower end).
free_port() {
  local p used
  used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  for ((p = 25000 + RANDOM % 5000; p < 32000; p++)); do
    grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  return 1
}

# The parent cgroups dockerd and podman create (cgroupfs driver). The clean-up removes those that
# did not exist when the run began, and only when empty (rmdir refuses otherwise), so a parent
# another daemon on the machine uses is never touched.
cgroup_parents() { ls -d /sys/fs/cgroup/*/docker /sys/fs/cgroup/*/libpod_parent 2>/dev/null; }
CGROUP_PARENTS_BEFORE=$(cgroup_parents)

# ---- clean-up: runs on EXIT/INT/TERM, also after a failure half-way.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  log "cleaning up"
  # Containers first, while their daemons still answer, so shims and conmons exit normally.
  if [ -n "$OURS_PID" ] && [ -S "$OURS_SOCK" ]; then
    ids=$(timeout 30 "$DOCKER_CLI" -H "unix://$OURS_SOCK" ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout 60 "$DOCKER_CLI" -H "unix://$OURS_SOCK" rm -f $ids >/dev/null 2>&1
  fi
  if [ -n "$DOCKER_PID" ] && [ -S "$DOCKER_SOCK" ]; then
    ids=$(timeout 30 "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" ps -aq 2>/dev/null)
    [ -n "$ids" ] && timeout 60 "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" rm -f $ids >/dev/null 2>&1
    [ -n "${BENCH_DOCKER_NETWORK:-}" ] && timeout 30 "$DOCKER_CLI" -H "unix://$DOCKER_SOCK" network rm "$BENCH_DOCKER_NETWORK" >/dev/null 2>&1
  fi
  if [ -d "$WORK/podman/root" ]; then
    timeout 60 podman "${PODMAN_ARGS[@]}" rm -af -t 0 >/dev/null 2>&1
  fi
  runtime_cleanup
  stop_ours
  "$ROOT/scripts/remove-network-prefix.sh" "$OURS_NET_PREFIX"
  stop_docker
  stop_registry
  # Anything still running that was started for this run names WORK in its command line (shims,
  # conmon, containerd): stop those by PID.
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = $$ ] && continue
    grep -qF "$WORK/" "/proc/$p/cmdline" 2>/dev/null && { log "stopping leftover process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-100)"; stop_pid "$p" leftover 5; }
  done
  # Mounts under WORK (overlay roots, podman's storage, netns files), deepest first.
  local m
  for m in $(awk -v w="$WORK/" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo 2>/dev/null | sort -r); do
    umount -l "$m" 2>/dev/null
  done
  local cg
  for cg in $(cgroup_parents); do
    # depth first: podman leaves an empty libpod_parent/conmon below its parent
    grep -qxF "$cg" <<<"$CGROUP_PARENTS_BEFORE" || find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  if awk -v w="$WORK/" 'index($5, w) == 1 {f=1} END {exit !f}' /proc/self/mountinfo; then
    log "mounts remain under $WORK; not removing it"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
