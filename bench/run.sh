#!/usr/bin/env bash
# PSContainer against docker (dockerd + containerd), podman (+ runc) and runc, on this machine, in
# one run. See bench/README.md for the figures and the method.
#
#   sudo bench/run.sh [--smoke] [--runs N] [--warmup N] [--fifty-runs N] [--only NAME,...]
#                     [--out DIR] [--build] [--with-debian|--without-debian] [--update-readme]
#
#   --smoke           one iteration of everything, small counts: checks that the harness works
#                     (exit 0 even when a system is not available; that is reported, not a failure)
#   --runs N          measured runs per figure and system (default 10), after --warmup N (default 1)
#   --fifty-runs N    iterations of the 50-container figure (default 3: one costs about a minute)
#   --only A,B        benchmarks: cold_start run_rm runtime exec fifty api memory load pull port profile
#   --out DIR         where results.json and results.md go (default bench/results/<UTC time>)
#   --build           build our executables into a private place (PSC_BENCH_BUILD, default
#                     /tmp/psc-bench-build) instead of using PSC_BIN (default out/bin)
#   --with-debian     load and pull the Debian test image (the default, except for --smoke, which
#                     uses the small layered test image and so needs no debootstrap);
#   --without-debian  the layered image in a full run too
#   --update-readme   put the table into the "Performance" section at the end of README.md
#
# Environment: PSC_BIN, PSC_TEST_IMAGES, PSC_ENGINE_ARGS (extra psc-engine options), DOCKER_CLI.
# Needs root. Safe beside other daemons: everything it starts has its own socket, roots and state
# under a temp directory, is stopped by PID at the end (also on failure or Ctrl-C), and the temp
# directory is removed.
set -uo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SMOKE=0; RUNS=10; WARMUP=1; FIFTY_RUNS=3; ONLY=""; OUT=""; BUILD=0; DEBIAN=""; UPDATE_README=0
ALL_BENCHMARKS="cold_start run_rm runtime exec fifty api memory load pull port profile"
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
need_value() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: $1 must be a positive integer, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) SMOKE=1 ;;
    --runs) need_value "$@"; positive "$1" "$2"; RUNS=$2; shift ;;
    --warmup) need_value "$@"; [[ $2 =~ ^[0-9]+$ ]] || { echo "run.sh: --warmup must be a number" >&2; exit 2; }; WARMUP=$2; shift ;;
    --fifty-runs) need_value "$@"; positive "$1" "$2"; FIFTY_RUNS=$2; shift ;;
    --only) need_value "$@"; ONLY=${2//,/ }; shift ;;
    --out) need_value "$@"; OUT=$2; shift ;;
    --build) BUILD=1 ;;
    --with-debian) DEBIAN=1 ;;
    --without-debian) DEBIAN=0 ;;
    --update-readme) UPDATE_README=1 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for b in $ONLY; do
  [[ " $ALL_BENCHMARKS " == *" $b "* ]] || { echo "run.sh: unknown benchmark '$b'; known: $ALL_BENCHMARKS" >&2; exit 2; }
done
SELECTED=${ONLY:-$ALL_BENCHMARKS}
selected() { [[ " $SELECTED " == *" $1 "* ]]; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (it starts daemons and containers); run it with sudo" >&2; exit 1; }

# Sizes: a smoke run checks that every path works, quickly; a real run measures.
if [ "$SMOKE" = 1 ]; then
  RUNS=1; WARMUP=0; FIFTY=5; FIFTY_ITER=1; FIFTY_WARMUP=0; MEM_CONTAINERS=2; API_CONTAINERS=5; API_SECONDS=0.5; PROFILE_RUNS=1
  DEBIAN=${DEBIAN:-0}
else
  FIFTY=50; FIFTY_ITER=$FIFTY_RUNS; FIFTY_WARMUP=0; MEM_CONTAINERS=20; API_CONTAINERS=100; API_SECONDS=2; PROFILE_RUNS=5
  DEBIAN=${DEBIAN:-1}
fi

source "$ROOT/bench/lib/common.sh"

# ---- what the run needs: packages, images, our executables, the measuring tool
log "installing missing packages (scripts/install-deps.sh)"
scripts/install-deps.sh || die "scripts/install-deps.sh failed"
if [ -n "${PSC_TEST_IMAGES:-}" ] && [ -f "$PSC_TEST_IMAGES/busybox-oci.tar" ]; then
  IMAGES=$PSC_TEST_IMAGES
else
  IMAGES=$(scripts/test-images.sh) || die "scripts/test-images.sh failed"
fi
LOAD_NA=""
if [ "$DEBIAN" = 1 ] && { selected load || selected pull; }; then
  if [ ! -f "$IMAGES/debian-docker.tar" ] || [ ! -f "$IMAGES/debian-oci.tar" ]; then
    log "building the Debian test image (scripts/test-images.sh --with-debian)"
    PSC_TEST_IMAGES=$IMAGES scripts/test-images.sh --with-debian >/dev/null 2>"${TMPDIR:-/tmp}/psc-bench-debian.err" ||
      LOAD_NA="the Debian test image could not be built: $(tail -n 1 "${TMPDIR:-/tmp}/psc-bench-debian.err" | cut -c1-120)"
  fi
  LOAD_TAR=$IMAGES/debian-docker.tar; LOAD_REF=debian:latest; PULL_OCI=$IMAGES/debian-oci.tar; PULL_NAME=debian
else
  # The four-layer busybox image: small, and not the busybox image the other figures run.
  LOAD_TAR=$IMAGES/layered-docker.tar; LOAD_REF=layered:latest; PULL_OCI=$IMAGES/layered-oci.tar; PULL_NAME=layered
fi

if [ "$BUILD" = 1 ]; then
  B=${PSC_BENCH_BUILD:-/tmp/psc-bench-build}
  log "building PSContainer into $B"
  dotnet msbuild build/PSContainer.Build.proj -t:Build -p:PscOut="$B/out/" -p:ArtifactsPath="$B/art" -v:quiet -nologo ||
    die "the build failed"
  PSC_BIN=$B/out/bin
fi
PSC_BIN=$(cd "${PSC_BIN:-$ROOT/out/bin}" 2>/dev/null && pwd || echo "${PSC_BIN:-$ROOT/out/bin}")

TOOL_ART=${PSC_BENCH_TOOL_ART:-/tmp/psc-bench-tool}
log "building the measuring tool (bench/PSContainer.Bench) into $TOOL_ART"
dotnet build bench/PSContainer.Bench/PSContainer.Bench.csproj -c Release --artifacts-path "$TOOL_ART" -v:quiet -nologo >"${TMPDIR:-/tmp}/psc-bench-tool.log" 2>&1 ||
  { cat "${TMPDIR:-/tmp}/psc-bench-tool.log" >&2; die "bench/PSContainer.Bench did not build"; }
BENCH_TOOL=$(echo "$TOOL_ART"/bin/PSContainer.Bench/release*/psc-bench)
[ -x "$BENCH_TOOL" ] || die "psc-bench not found under $TOOL_ART/bin"

# ---- private places, and the clean-up that removes them whatever happens
WORK=$(mktemp -d /tmp/pscb.XXXXXX)  # short: containerd's socket paths must stay under 108 bytes
OUT=${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
SAMPLES=$OUT/samples.jsonl; TRACE_FILE=$OUT/trace-engine.jsonl; RUNTIME_TRACE_FILE=$OUT/trace-runtime.jsonl
: >"$SAMPLES"
source "$ROOT/bench/lib/daemons.sh"
source "$ROOT/bench/lib/benchmarks.sh"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
STARTED=$(date -u +"%Y-%m-%d %H:%M UTC")
log "work directory $WORK; results in $OUT; runs $RUNS after $WARMUP warm-up; benchmarks: $SELECTED"

# ---- which systems can take part
[ -x "$PSC_BIN/psc-engine" ] || UNAVAILABLE[ours]="psc-engine not found in $PSC_BIN"
command -v dockerd >/dev/null || UNAVAILABLE[docker]="dockerd is not installed"
command -v podman >/dev/null || UNAVAILABLE[podman]="podman is not installed"
command -v "$DOCKER_CLI" >/dev/null || { UNAVAILABLE[ours]="no docker CLI ($DOCKER_CLI)"; UNAVAILABLE[docker]=${UNAVAILABLE[ours]}; }

selected cold_start && bench_cold_start

# Starts dockerd and our engine and checks podman; a system that fails is not available, with the
# reason, for every later figure. Then the same busybox archive is loaded into each.
start_systems() {
  local s
  log "starting the daemons"
  if [ -z "${UNAVAILABLE[docker]:-}" ]; then
    start_docker || UNAVAILABLE[docker]="dockerd did not start: $START_ERROR"
  fi
  if [ -z "${UNAVAILABLE[ours]:-}" ]; then
    start_ours || UNAVAILABLE[ours]="psc-engine did not start: $START_ERROR"
  fi
  if [ -z "${UNAVAILABLE[podman]:-}" ]; then
    mkdir -p "$WORK/podman"
    quiet podman "${PODMAN_ARGS[@]}" info || UNAVAILABLE[podman]="podman info failed: $(last_error)"
  fi
  for s in ours docker podman; do
    [ -n "${UNAVAILABLE[$s]:-}" ] && { log "$s: not available: ${UNAVAILABLE[$s]}"; continue; }
    quiet cli "$s" load -i "$IMAGES/busybox-docker.tar" || UNAVAILABLE[$s]="cannot load the busybox image: $(last_error)"
  done
}
# The runtime figures need no daemon.
for b in run_rm exec fifty api memory load pull port profile; do
  selected "$b" && { start_systems; break; }
done

for b in run_rm runtime exec fifty api memory load pull port profile; do
  selected "$b" && "bench_$b"
done

# ---- report
git_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ] && git_commit="$git_commit (src modified)"
jq -n --arg started "$STARTED" --arg machine "$(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)" \
  --arg commit "$git_commit" --argjson runs "$RUNS" --argjson warmup "$WARMUP" --argjson smoke "$([ "$SMOKE" = 1 ] && echo true || echo false)" \
  --arg fifty "$FIFTY" --arg fifty_runs "$FIFTY_ITER" --arg mem "$MEM_CONTAINERS" --arg api "$API_CONTAINERS" \
  --arg image "$([ "$PULL_NAME" = debian ] && echo Debian || echo "layered (4-layer busybox)")" --arg benchmarks "$SELECTED" --arg bin "$PSC_BIN" \
  --arg dockerd "$(dockerd --version 2>/dev/null | sed 's/Docker version //; s/,.*//')" \
  --arg containerd "$(containerd --version 2>/dev/null | awk '{print $3}')" \
  --arg podman "$(podman --version 2>/dev/null | awk '{print $3}')" \
  --arg runc "$(runc --version 2>/dev/null | awk 'NR==1 {print $3}')" \
  --arg cli "$("$DOCKER_CLI" --version 2>/dev/null | sed 's/Docker version //; s/,.*//')" \
  '{started: $started, machine: $machine, commit: $commit, runs: $runs, warmup: $warmup, smoke: $smoke,
    parameters: {fifty: $fifty, fifty_runs: $fifty_runs, mem: $mem, api: $api, image: $image},
    benchmarks: $benchmarks, psc_bin: $bin,
    versions: {dockerd: $dockerd, containerd: $containerd, podman: $podman, runc: $runc, "docker CLI": $cli}}' >"$OUT/meta.json"
"$BENCH_TOOL" report --samples "$SAMPLES" --meta "$OUT/meta.json" --trace "$TRACE_FILE" --runtime-trace "$RUNTIME_TRACE_FILE" --out "$OUT" || die "psc-bench report failed"
jq -e '.figures | length > 0' "$OUT/results.json" >/dev/null || die "$OUT/results.json has no figures"
cat "$OUT/results.md"
log "results: $OUT/results.md and $OUT/results.json"

if [ "$UPDATE_README" = 1 ]; then
  section=$(mktemp)
  { echo "## Performance"; echo
    echo "Measured by \`sudo bench/run.sh\` (method and figures: [bench/README.md](bench/README.md)); the latest full run:"; echo
    cat "$OUT/results.md"; } >"$section"
  awk -v section="$section" '
    /^## Performance[[:space:]]*$/ { while ((getline line < section) > 0) print line; skip = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }' README.md >README.md.new
  grep -q '^## Performance' README.md.new || { echo; cat "$section"; } >>README.md.new
  mv README.md.new README.md; rm -f "$section"
  log "README.md: Performance section updated"
fi
