# Sourced by bench/run.sh: one function per benchmark (bench_NAME) and the *_once functions the
# interleaving loop (iterate, lib/common.sh) calls. Figure ids match
# bench/PSContainer.Bench/Report/FigureCatalog.cs.

ITER=$((WARMUP + RUNS))
fail_with() { echo "$*" >"$WORK/last.err"; LAST_ERR=$WORK/last.err; return 1; }
rm_args() { if [ "$1" = podman ]; then echo -f -t 0; else echo -f; fi; }

# ---- 8. cold start until /_ping answers (runs first: it starts and stops the daemons itself)
cold_start_once() {
  case $1 in
    ours) start_ours || fail_with "$START_ERROR" || return 1; record cold_start ours "$COLD_START"; stop_ours ;;
    docker) start_docker || fail_with "$START_ERROR" || return 1; record cold_start docker "$COLD_START"; stop_docker ;;
  esac
}
bench_cold_start() {
  log "8. cold start"
  # shellcheck disable=SC2046
  iterate cold_start cold_start "$ITER" $(available_systems cold_start ours docker)
}

# ---- 1. run --rm busybox true, end to end
run_rm_once() {
  local v
  # shellcheck disable=SC2046
  timed v cli "$1" run --rm $(run_args "$1") busybox true || return 1
  record run_rm "$1" "$v"
}
bench_run_rm() {
  log "1. run --rm busybox true"
  # shellcheck disable=SC2046
  iterate run_rm run_rm "$ITER" $(available_systems run_rm ours docker podman)
}

# ---- 2. the runtime alone on one busybox bundle
BUNDLE=$WORK/bundle
runtime_bin() { if [ "$1" = ours ]; then echo "$PSC_BIN/psc-runc"; else command -v runc; fi; }
runtime_root() { echo "$WORK/runtime-state/$1"; }
runtime() { local s=$1; shift; timeout --foreground -k 5 "$CLI_TIMEOUT" "$(runtime_bin "$s")" --root "$(runtime_root "$s")" "$@"; }
make_bundle() {
  [ -f "$BUNDLE/config.json" ] && return 0
  quiet umoci unpack --image "$IMAGES/busybox-oci:latest" "$BUNDLE" || return 1
  # runc's own defaults (namespaces incl. a new empty network namespace, mounts, capabilities),
  # with no terminal and `true` as the process; the same file for both runtimes.
  rm -f "$BUNDLE/config.json"
  quiet runc spec --bundle "$BUNDLE" || return 1
  jq '.process.terminal = false | .process.args = ["true"]' "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}
runtime_run_once() {
  local v id="pscb-run-$1-$2"
  timed v runtime "$1" run --bundle "$BUNDLE" "$id" || { runtime "$1" delete --force "$id" >/dev/null 2>&1; return 1; }
  record runtime_run "$1" "$v"
}
lifecycle() { # SYSTEM ID: create, start, delete --force (the workload `true` may or may not have exited)
  runtime "$1" create --bundle "$BUNDLE" "$2" && runtime "$1" start "$2" && runtime "$1" delete --force "$2"
}
runtime_lifecycle_once() {
  local v id="pscb-cycle-$1-$2"
  timed v lifecycle "$1" "$id" || { runtime "$1" delete --force "$id" >/dev/null 2>&1; return 1; }
  record runtime_lifecycle "$1" "$v"
}
runtime_cleanup() { # leftovers after a failure: delete what each runtime still lists under our roots
  local s id
  for s in ours runc; do
    [ -d "$(runtime_root "$s")" ] || continue
    for id in $(runtime "$s" list -q 2>/dev/null); do runtime "$s" delete --force "$id" >/dev/null 2>&1; done
  done
}
bench_runtime() {
  log "2. runtime alone: psc-runc vs runc"
  [ -x "$PSC_BIN/psc-runc" ] || UNAVAILABLE[psc-runc]="psc-runc not found in $PSC_BIN"
  command -v runc >/dev/null || UNAVAILABLE[runc]="runc is not installed"
  if ! make_bundle; then
    local why; why="cannot make the busybox bundle: $(last_error)"
    record_na "runtime_run runtime_lifecycle" ours "$why"; record_na "runtime_run runtime_lifecycle" runc "$why"
    return 0
  fi
  mkdir -p "$(runtime_root ours)" "$(runtime_root runc)"
  local systems=()
  [ -z "${UNAVAILABLE[psc-runc]:-}" ] && systems+=(ours) || record_na "runtime_run runtime_lifecycle" ours "${UNAVAILABLE[psc-runc]}"
  [ -z "${UNAVAILABLE[runc]:-}" ] && systems+=(runc) || record_na "runtime_run runtime_lifecycle" runc "${UNAVAILABLE[runc]}"
  iterate runtime_run runtime_run "$ITER" "${systems[@]}"
  iterate runtime_lifecycle runtime_lifecycle "$ITER" "${systems[@]}"
}

# ---- 3. fifty detached sleep containers, started one after another, then removed together
FIFTY=${FIFTY:-50}
start_many() { # SYSTEM PREFIX COUNT: `run -d` one after another, named PREFIX-1..COUNT
  local j
  for ((j = 1; j <= $3; j++)); do
    # shellcheck disable=SC2046
    cli "$1" run -d $(run_args "$1") --name "$2-$j" busybox sleep 600 || return 1
  done
}
names() { local j; for ((j = 1; j <= $2; j++)); do echo "$1-$j"; done; }
remove_many() { # SYSTEM PREFIX COUNT
  # shellcheck disable=SC2046
  cli "$1" rm $(rm_args "$1") $(names "$2" "$3")
}
fifty_once() {
  local a b prefix="pscb-fifty-$2"
  if ! timed a start_many "$1" "$prefix" "$FIFTY"; then
    local why; why=$(last_error)
    quiet remove_many "$1" "$prefix" "$FIFTY"
    fail_with "$why"; return 1
  fi
  timed b remove_many "$1" "$prefix" "$FIFTY" || return 1
  record fifty_start "$1" "$a"
  record fifty_remove "$1" "$b"
  record fifty_total "$1" "$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.6f", a + b}')"
}
bench_fifty() {
  log "3. $FIFTY detached containers, start then remove ($FIFTY_ITER iterations)"
  local saved=$WARMUP
  WARMUP=$FIFTY_WARMUP
  # shellcheck disable=SC2046
  iterate fifty "fifty_total fifty_start fifty_remove" "$FIFTY_ITER" $(available_systems "fifty_total fifty_start fifty_remove" ours docker podman)
  WARMUP=$saved
}

# ---- 4. exec latency into a running container
exec_once() {
  local v
  timed v cli "$1" exec pscb-exec true || return 1
  record exec "$1" "$v"
}
bench_exec() {
  log "4. exec latency"
  local s systems=()
  for s in $(available_systems exec ours docker podman); do
    # shellcheck disable=SC2046
    if quiet cli "$s" run -d $(run_args "$s") --name pscb-exec busybox sleep 600; then
      systems+=("$s")
    else
      record_na exec "$s" "cannot start the container to exec into: $(last_error)"
    fi
  done
  iterate exec exec "$ITER" "${systems[@]}"
  for s in "${systems[@]}"; do
    # shellcheck disable=SC2046
    quiet cli "$s" rm $(rm_args "$s") pscb-exec
  done
}

# ---- 5. memory: the daemons idle, then the shim of each of MEM_CONTAINERS running containers
MEM_CONTAINERS=${MEM_CONTAINERS:-20}
sum_kb() { # FUNCTION(pss_kb|rss_kb) PIDS...
  local f=$1 p t=0; shift
  for p in "$@"; do t=$((t + $("$f" "$p"))); done
  echo "$t"
}
memory_daemon() { # SYSTEM
  local pids
  case $1 in
    ours) pids=$(ours_daemon_pids) ;;
    docker) pids=$(docker_daemon_pids) ;;
  esac
  # shellcheck disable=SC2086
  record daemon_pss "$1" "$(kb_to_mib "$(sum_kb pss_kb $pids)")"
  # shellcheck disable=SC2086
  record daemon_rss "$1" "$(kb_to_mib "$(sum_kb rss_kb $pids)")"
  log "  $1 daemon processes: $(for p in $pids; do printf '%s(%s) ' "$(cat /proc/$p/comm 2>/dev/null)" "$p"; done)"
}
memory_shims() { # SYSTEM: per container, PSS of the process holding it (the parent of its init) ÷ containers it holds
  local s=$1 prefix=pscb-mem pid parent daemon_pid
  if ! quiet start_many "$s" "$prefix" "$MEM_CONTAINERS"; then
    record_na shim_pss "$s" "cannot start $MEM_CONTAINERS containers: $(last_error)"
    quiet remove_many "$s" "$prefix" "$MEM_CONTAINERS"
    return 0
  fi
  sleep 2 # let the shims finish their start-up work and go idle
  local -A held=()
  local parents=()
  # shellcheck disable=SC2046
  for pid in $(cli "$s" inspect -f '{{.State.Pid}}' $(names "$prefix" "$MEM_CONTAINERS") 2>/dev/null); do
    parent=$(ppid_of "$pid")
    [ -n "$parent" ] || continue
    parents+=("$parent")
    held[$parent]=$((${held[$parent]:-0} + 1))
  done
  case $s in ours) daemon_pid=$OURS_PID ;; docker) daemon_pid=$DOCKER_PID ;; *) daemon_pid= ;; esac
  if [ "${#parents[@]}" -ne "$MEM_CONTAINERS" ]; then
    record_na shim_pss "$s" "found the parent process of ${#parents[@]} of $MEM_CONTAINERS containers"
  elif [ -n "$daemon_pid" ] && [ -n "${held[$daemon_pid]:-}" ]; then
    record_na shim_pss "$s" "containers are children of the daemon itself: no per-container process to measure"
  else
    for parent in "${parents[@]}"; do
      record shim_pss "$s" "$(awk -v k="$(pss_kb "$parent")" -v n="${held[$parent]}" 'BEGIN {printf "%.3f", k / n / 1024}')"
    done
    log "  $s: ${#held[@]} shim processes ($(cat "/proc/${parents[0]}/comm" 2>/dev/null)) for $MEM_CONTAINERS containers"
  fi
  quiet remove_many "$s" "$prefix" "$MEM_CONTAINERS"
}
bench_memory() {
  log "5. memory: daemons idle, then $MEM_CONTAINERS containers"
  local s
  for s in $(available_systems "daemon_pss daemon_rss" ours docker); do memory_daemon "$s"; done
  for s in $(available_systems shim_pss ours docker podman); do memory_shims "$s"; done
}

# ---- 6a. load of the Debian image (busybox in a smoke run without --with-debian)
image_absent() { ! cli "$1" image inspect "$2" >/dev/null 2>&1; }
remove_image() { # SYSTEM REF: untimed, and checked, so the next load or pull really does the work
  cli "$1" rmi -f "$2" >/dev/null 2>&1
  image_absent "$1" "$2" || fail_with "could not remove $2 between runs"
}
load_once() {
  local v
  remove_image "$1" "$LOAD_REF" || return 1
  timed v cli "$1" load -i "$LOAD_TAR" || return 1
  image_absent "$1" "$LOAD_REF" && { fail_with "load did not create $LOAD_REF"; return 1; }
  record load "$1" "$v"
}
bench_load() {
  log "6a. load $(basename "$LOAD_TAR")"
  local s
  if [ -n "$LOAD_NA" ]; then
    for s in ours docker podman; do record_na load "$s" "$LOAD_NA"; done
    return 0
  fi
  # shellcheck disable=SC2046
  iterate load load "$ITER" $(available_systems load ours docker podman)
  for s in ours docker podman; do [ -z "${UNAVAILABLE[$s]:-}" ] && cli "$s" rmi -f "$LOAD_REF" >/dev/null 2>&1; done
  return 0
}

# ---- 6b. pull from a private registry on 127.0.0.1: the load image (Debian in a full run), and
# 6c. a 10-layer image, so per-layer costs (requests, unpacks, snapshots) show beside bulk speed.
# pull_blob_digests OCI: the blobs (manifest, config, layers) of an OCI archive or layout directory.
# None may be left in our content store before a pull, or the pull would skip downloading them
# (docker and podman drop layers on rmi too).
pull_blob_digests() {
  local index manifest
  if [ -d "$1" ]; then
    index=$(jq -r '.manifests[0].digest' "$1/index.json") || return 1
    manifest=$(cat "$1/blobs/sha256/${index#sha256:}") || return 1
  else
    index=$(tar -xOf "$1" index.json | jq -r '.manifests[0].digest') || return 1
    manifest=$(tar -xOf "$1" "blobs/sha256/${index#sha256:}") || return 1
  fi
  printf '%s\n' "${index#sha256:}"
  jq -r '.config.digest, .layers[].digest' <<<"$manifest" | sed 's/^sha256://'
}
ours_kept_blobs() { # BLOBS: prints how many of them our engine still stores
  local hex n=0
  for hex in $1; do
    [ -e "$WORK/psc/data/content/blobs/sha256/$hex" ] && n=$((n + 1))
  done
  echo "$n"
}
pull_image() { # SYSTEM FIGURE REF BLOBS
  local v kept
  remove_image "$1" "$3" || return 1
  if [ "$1" = ours ]; then
    kept=$(ours_kept_blobs "$4")
    [ "$kept" = 0 ] || { fail_with "after rmi our engine still stores $kept of the image's blobs: a pull would not download them"; return 1; }
  fi
  if [ "$1" = podman ]; then
    timed v cli podman pull --tls-verify=false "$3" || return 1
  else
    timed v cli "$1" pull "$3" || return 1
  fi
  record "$2" "$1" "$v"
}
pull_once() { pull_image "$1" pull "$REGISTRY/bench/$PULL_NAME:latest" "$PULL_BLOBS"; }
pull_layers10_once() { pull_image "$1" pull_layers10 "$REGISTRY/bench/layers10:latest" "$LAYERS10_BLOBS"; }

# The 10-layer image, built offline into WORK (nothing shared is touched): busybox-oci's one layer
# plus 9 layers added by umoci insert (no unpack needed), each one file of 256 KiB of random
# bytes, so every layer is a real, incompressible transfer and a distinct blob.
LAYERS10_OCI=$WORK/layers10-oci
make_layers10() {
  local i
  rm -rf "$LAYERS10_OCI" "$WORK/layers10-files"
  mkdir -p "$WORK/layers10-files"
  cp -r "$IMAGES/busybox-oci" "$LAYERS10_OCI" || return 1
  for ((i = 1; i <= 9; i++)); do
    head -c 262144 /dev/urandom >"$WORK/layers10-files/layer-$i" || return 1
    umoci insert --image "$LAYERS10_OCI:latest" "$WORK/layers10-files/layer-$i" "/layers/layer-$i" || return 1
  done
  umoci gc --layout "$LAYERS10_OCI" || return 1
  local layers
  layers=$(pull_blob_digests "$LAYERS10_OCI" | tail -n +3 | wc -l)
  [ "$layers" = 10 ] || { echo "the 10-layer image has $layers layers" >&2; return 1; }
}

bench_pull() {
  log "6b. pull $PULL_NAME and 6c. a 10-layer image from a local registry"
  local s why="" why10=""
  if ! start_registry; then
    why="docker-registry did not start: $(last_error)"; why10=$why
  else
    if [ -n "$LOAD_NA" ]; then
      why=$LOAD_NA
    elif ! quiet skopeo --insecure-policy copy --dest-tls-verify=false "oci-archive:$PULL_OCI" "docker://$REGISTRY/bench/$PULL_NAME:latest"; then
      why="skopeo could not push the image to the local registry: $(last_error)"
    fi
    if ! quiet make_layers10; then
      why10="could not build the 10-layer image with umoci: $(last_error)"
    elif ! quiet skopeo --insecure-policy copy --dest-tls-verify=false "oci:$LAYERS10_OCI:latest" "docker://$REGISTRY/bench/layers10:latest"; then
      why10="skopeo could not push the 10-layer image to the local registry: $(last_error)"
    fi
  fi
  if [ -n "$why" ]; then
    for s in ours docker podman; do record_na pull "$s" "$why"; done
  else
    PULL_BLOBS=$(pull_blob_digests "$PULL_OCI" | tr '\n' ' ')
    # shellcheck disable=SC2046
    iterate pull pull "$ITER" $(available_systems pull ours docker podman)
    for s in ours docker podman; do [ -z "${UNAVAILABLE[$s]:-}" ] && cli "$s" rmi -f "$REGISTRY/bench/$PULL_NAME:latest" >/dev/null 2>&1; done
  fi
  if [ -n "$why10" ]; then
    for s in ours docker podman; do record_na pull_layers10 "$s" "$why10"; done
  else
    LAYERS10_BLOBS=$(pull_blob_digests "$LAYERS10_OCI" | tr '\n' ' ')
    # shellcheck disable=SC2046
    iterate pull_layers10 pull_layers10 "$ITER" $(available_systems pull_layers10 ours docker podman)
    for s in ours docker podman; do [ -z "${UNAVAILABLE[$s]:-}" ] && cli "$s" rmi -f "$REGISTRY/bench/layers10:latest" >/dev/null 2>&1; done
  fi
  stop_registry
}

# ---- 7. API request rate and `ps -a` with API_CONTAINERS containers
API_CONTAINERS=${API_CONTAINERS:-100}
create_many() { # SYSTEM PREFIX COUNT
  local j
  for ((j = 1; j <= $3; j++)); do
    # shellcheck disable=SC2046
    cli "$1" create $(run_args "$1") --name "$2-$j" busybox true || return 1
  done
}
sock_of() { if [ "$1" = ours ]; then echo "$OURS_SOCK"; else echo "$DOCKER_SOCK"; fi; }
api_rate_once() {
  "$BENCH_TOOL" api-rate --socket "$(sock_of "$1")" --path '/containers/json?all=1' --seconds "$API_SECONDS" \
    </dev/null >"$WORK/last.out" 2>"$WORK/last.err" || { LAST_ERR=$WORK/last.err; jq -r '.first_error // empty' "$WORK/last.out" >>"$WORK/last.err" 2>/dev/null; return 1; }
  record api_rps "$1" "$(jq -r .rps "$WORK/last.out")"
}
ps_once() {
  local v
  timed v cli "$1" ps -a || return 1
  record ps "$1" "$v"
}
bench_api() {
  log "7. API with $API_CONTAINERS containers"
  local s ready=()
  for s in $(available_systems "api_rps ps" ours docker podman); do
    if quiet create_many "$s" pscb-api "$API_CONTAINERS"; then
      ready+=("$s")
    else
      record_na "api_rps ps" "$s" "cannot create $API_CONTAINERS containers: $(last_error)"
      quiet remove_many "$s" pscb-api "$API_CONTAINERS"
    fi
  done
  local rate=()
  for s in "${ready[@]}"; do [ "$s" != podman ] && rate+=("$s"); done
  iterate api_rate api_rps "$ITER" "${rate[@]}"
  iterate ps ps "$ITER" "${ready[@]}"
  for s in "${ready[@]}"; do quiet remove_many "$s" pscb-api "$API_CONTAINERS"; done
}

# ---- 9. TCP through a published port (#8); only when our engine can publish ports
BENCH_DOCKER_NETWORK=
declare -A PORT_OF=()
start_httpd() { # SYSTEM [NETWORK]: busybox httpd serving a small file, published on 127.0.0.1
  local s=$1 net=${2:-} netargs=()
  [ -n "$net" ] && netargs=(--network "$net")
  quiet cli "$s" run -d "${netargs[@]}" -p 127.0.0.1::80 --name pscb-httpd busybox \
    sh -c 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www' || return 1
  quiet cli "$s" port pscb-httpd 80/tcp || return 1
  PORT_OF[$s]=$(head -n 1 "$WORK/last.out" | sed 's/.*://')
  [ -n "${PORT_OF[$s]}" ] || fail_with "no host port published for 80/tcp"
}
port_rate_once() {
  "$BENCH_TOOL" tcp-rate --url "http://127.0.0.1:${PORT_OF[$1]}/index.html" --seconds "$API_SECONDS" \
    </dev/null >"$WORK/last.out" 2>"$WORK/last.err" || { LAST_ERR=$WORK/last.err; jq -r '.first_error // empty' "$WORK/last.out" >>"$WORK/last.err" 2>/dev/null; return 1; }
  record port_rps "$1" "$(jq -r .rps "$WORK/last.out")"
}
bench_port() {
  log "9. TCP through a published port"
  if [ -n "${UNAVAILABLE[ours]:-}" ]; then
    record_na port_rps ours "${UNAVAILABLE[ours]}"
    record_na port_rps docker "not measured: compared only when our engine publishes ports (#8)"
    return 0
  fi
  if ! start_httpd ours; then
    record_na port_rps ours "cannot publish a port: $(last_error)"
    record_na port_rps docker "not measured: compared only when our engine publishes ports (#8)"
    quiet cli ours rm -f pscb-httpd
    return 0
  fi
  local systems=(ours)
  if [ -n "${UNAVAILABLE[docker]:-}" ]; then
    record_na port_rps docker "${UNAVAILABLE[docker]}"
  else
    # The private dockerd has no default bridge (--bridge=none); a user network with its own
    # bridge device gives the container an address for docker-proxy to forward to. It is removed
    # at the end (and by the clean-up on failure).
    BENCH_DOCKER_NETWORK=pscbench
    if quiet cli docker network create --driver bridge --subnet 10.213.77.0/24 \
        -o com.docker.network.bridge.name=pscbench0 "$BENCH_DOCKER_NETWORK" && start_httpd docker "$BENCH_DOCKER_NETWORK"; then
      systems+=(docker)
    else
      record_na port_rps docker "cannot publish a port: $(last_error)"
    fi
  fi
  iterate port_rate port_rps "$ITER" "${systems[@]}"
  quiet cli ours rm -f pscb-httpd
  if [ -z "${UNAVAILABLE[docker]:-}" ]; then
    quiet cli docker rm -f pscb-httpd
    quiet cli docker network rm "$BENCH_DOCKER_NETWORK" && BENCH_DOCKER_NETWORK=
  fi
}

# ---- startup profile of our `run` (PSC_TRACE_FILE; see bench/README.md): through the engine,
# and of psc-runc alone. bench writes client.start/client.exit around each traced run; the
# components write their own steps in between.
trace_mark() { # FILE STEP
  local t=$EPOCHREALTIME
  printf '{"t":%s000,"step":"%s","comp":"bench","pid":%s}\n' "${t/./}" "$2" "$$" >>"$1"
}
bench_profile() {
  log "startup profiles (PSC_TRACE_FILE)"
  local i
  : >"$RUNTIME_TRACE_FILE"
  if [ -x "$PSC_BIN/psc-runc" ] && make_bundle; then
    mkdir -p "$(runtime_root ours)"
    for ((i = 0; i < PROFILE_RUNS; i++)); do
      trace_mark "$RUNTIME_TRACE_FILE" client.start
      PSC_TRACE_FILE=$RUNTIME_TRACE_FILE quiet runtime ours run --bundle "$BUNDLE" "pscb-trace-$i" ||
        { log "  traced psc-runc run failed: $(last_error)"; runtime ours delete --force "pscb-trace-$i" >/dev/null 2>&1; break; }
      trace_mark "$RUNTIME_TRACE_FILE" client.exit
    done
  fi

  [ -n "${UNAVAILABLE[ours]:-}" ] && { log "  engine profile not available: ${UNAVAILABLE[ours]}"; return 0; }
  # A separate engine session with tracing on, so the timed figures above ran without it.
  stop_ours
  : >"$TRACE_FILE"
  export PSC_TRACE_FILE=$TRACE_FILE
  if ! start_ours; then
    unset PSC_TRACE_FILE
    UNAVAILABLE[ours]="psc-engine did not start again: $START_ERROR"
    log "  ${UNAVAILABLE[ours]}"
    return 0
  fi
  unset PSC_TRACE_FILE
  # shellcheck disable=SC2046
  quiet cli ours run --rm $(run_args ours) busybox true # warm-up, not part of the profile
  : >"$TRACE_FILE"
  for ((i = 0; i < PROFILE_RUNS; i++)); do
    trace_mark "$TRACE_FILE" client.start
    # shellcheck disable=SC2046
    quiet cli ours run --rm $(run_args ours) busybox true || { log "  traced run failed: $(last_error)"; break; }
    trace_mark "$TRACE_FILE" client.exit
  done
}
