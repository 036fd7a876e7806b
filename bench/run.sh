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
#   --note TEXT       a remark printed with the table (for example the machine's load)
#   --report DIR      measure nothing: rewrite DIR/results.md and results.json from DIR's samples
#
# Environment: PSC_BIN, PSC_TEST_IMAGES, PSC_ENGINE_ARGS (extra psc-engine options), DOCKER_CLI.
# Needs root. Safe beside other daemons: everything it starts has its own socket, roots and state
# under a temp directory, is stopped by PID at the end (also on failure or Ctrl-C), and the temp
# directory is removed.
set -uo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SMOKE=0; RUNS=10; WARMUP=1; FIFTY_RUNS=3; ONLY=""; OUT=""; BUILD=0; DEBIAN=""; UPDATE_README=0; NOTE=""; REPORT_ONLY=""
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
    --note) need_value "$@"; NOTE=$2; shift ;;
    --report) need_value "$@"; REPORT_ONLY=$2; shift ;;
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
source "$ROOT/bench/lib/report.sh"

if [ -n "$REPORT_ONLY" ]; then
  [ -f "$REPORT_ONLY/samples.jsonl" ] && [ -f "$REPORT_ONLY/meta.json" ] || die "$REPORT_ONLY has no samples.jsonl and meta.json"
  if [ -n "$NOTE" ]; then
    jq --arg note "$NOTE" '.note = $note' "$REPORT_ONLY/meta.json" >"$REPORT_ONLY/meta.json.new" && mv "$REPORT_ONLY/meta.json.new" "$REPORT_ONLY/meta.json"
  fi
  build_tool
  write_report "$REPORT_ONLY"
  [ "$UPDATE_README" = 1 ] && update_readme "$REPORT_ONLY"
  exit 0
fi


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
  mkdir -p "$B"
  log "building PSContainer into $B"
  # The full build also compiles every test project; when one of those is broken mid-edit, the
  # executables alone are enough for a benchmark (the failed build has restored everything).
  if ! dotnet msbuild build/PSContainer.Build.proj -t:Build -p:PscOut="$B/out/" -p:ArtifactsPath="$B/art" -v:quiet -nologo >"$B.log" 2>&1; then
    log "the full build failed (see $B.log); publishing only the executables"
    dotnet msbuild build/PSContainer.Build.proj "-t:Native;PublishExecutables" -p:PscOut="$B/out/" -p:ArtifactsPath="$B/art" -v:quiet -nologo ||
      die "the executables did not build"
  fi
  PSC_BIN=$B/out/bin
fi
PSC_BIN=$(cd "${PSC_BIN:-$ROOT/out/bin}" 2>/dev/null && pwd || echo "${PSC_BIN:-$ROOT/out/bin}")

build_tool

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
STARTED=$(date -u +"%Y-%m-%d %H:%M UTC"); LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
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
selected port && { source "$ROOT/bench/port-rate.sh" && bench_port_rate; }  # wrk: req/s and latency, ours vs docker

write_meta
write_report "$OUT"
[ "$UPDATE_README" = 1 ] && update_readme "$OUT"
exit 0
