# Sourced by bench/run.sh: logging, timing, sample recording and the interleaving loop.
# Globals used here (set by run.sh): WORK (private temp dir), SAMPLES (samples file), RUNS, WARMUP.

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Microseconds since the epoch, without a fork: bash's $EPOCHREALTIME (LC_ALL=C keeps the dot).
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# seconds_between START_US END_US -> "0.123456"
seconds_between() { local d=$(( $2 - $1 )); printf '%d.%06d' $((d / 1000000)) $((d % 1000000)); }

# timed VAR CMD...: runs CMD with stdin from /dev/null, stdout and stderr to files in WORK (never
# a pipe: a detached container would hold it open), stores the wall time in seconds in VAR and
# returns CMD's exit status. The time is taken around the exec of CMD only.
LAST_ERR=
timed() {
  local __var=$1; shift
  local t0 t1 rc
  LAST_ERR=$WORK/last.err
  t0=$EPOCHREALTIME
  "$@" </dev/null >"$WORK/last.out" 2>"$LAST_ERR"
  rc=$?
  t1=$EPOCHREALTIME
  printf -v "$__var" '%s' "$(seconds_between "${t0/./}" "${t1/./}")"
  return $rc
}

# quiet CMD...: runs an untimed setup or teardown command; its error output goes to LAST_ERR.
quiet() { LAST_ERR=$WORK/last.err; "$@" </dev/null >"$WORK/last.out" 2>"$LAST_ERR"; }

# The last meaningful line of the last command's error output, for "not available: ..." reasons.
# Clients end with usage hints ("Run 'docker run --help'"), so the last line naming an error wins.
last_error() {
  local line=""
  if [ -n "$LAST_ERR" ] && [ -s "$LAST_ERR" ]; then
    line=$(grep -i 'error' "$LAST_ERR" | tail -n 1)
    [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$LAST_ERR" | tail -n 1)
  fi
  echo "${line:-exit status non-zero, no error output}" | cut -c1-300
}

json_str() { jq -Rn --arg s "$1" '$s'; }

# record FIGURE SYSTEM VALUE: one measured value (skipped while warming up).
IN_WARMUP=0
record() {
  [ "$IN_WARMUP" = 1 ] && return 0
  printf '{"figure":"%s","system":"%s","value":%s}\n' "$1" "$2" "$3" >>"$SAMPLES"
}

# record_na FIGURES SYSTEM REASON: the system could not be measured for these figures.
record_na() {
  local f
  for f in $1; do
    printf '{"figure":"%s","system":"%s","na":%s}\n' "$f" "$2" "$(json_str "$3")" >>"$SAMPLES"
  done
  log "  $1 / $2: not available: $3"
}

# Why a system cannot take part at all (empty when it can); filled in by run.sh as systems start.
declare -A UNAVAILABLE=()

# available_systems FIGURES SYSTEM...: prints the systems that are up; records the others as
# not available for FIGURES.
available_systems() {
  local figures=$1 s out=()
  shift
  for s in "$@"; do
    if [ -n "${UNAVAILABLE[$s]:-}" ]; then
      record_na "$figures" "$s" "${UNAVAILABLE[$s]}"
    else
      out+=("$s")
    fi
  done
  echo "${out[@]}"
}

# iterate NAME FIGURES ITERATIONS SYSTEM...: the interleaving loop. For each of ITERATIONS (the
# first WARMUP of them are warm-up and record nothing) it calls NAME_once SYSTEM for every system,
# starting one system later each iteration (A B C, B C A, C A B, ...) so no system always runs
# first or last. NAME_once records its own values; when it fails, the system is dropped from the
# rest of this benchmark and recorded as not available with the last error line.
iterate() {
  local name=$1 figures=$2 iterations=$3
  shift 3
  local -a systems=("$@")
  local -A dropped=()
  local n=${#systems[@]} i k s
  [ "$n" -eq 0 ] && return 0
  for ((i = 0; i < iterations; i++)); do
    IN_WARMUP=0; [ "$i" -lt "$WARMUP" ] && IN_WARMUP=1
    for ((k = 0; k < n; k++)); do
      s=${systems[$(((i + k) % n))]}
      [ -n "${dropped[$s]:-}" ] && continue
      if ! "${name}_once" "$s" "$i"; then
        dropped[$s]=1
        record_na "$figures" "$s" "failed: $(last_error)"
      fi
    done
  done
  IN_WARMUP=0
}

# pss_kb PID / rss_kb PID: from /proc/PID/smaps_rollup and /proc/PID/status (0 when gone).
pss_kb() { awk '/^Pss:/ {print $2; f=1} END {if (!f) print 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2; f=1} END {if (!f) print 0}' "/proc/$1/status" 2>/dev/null || echo 0; }
ppid_of() { awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
kb_to_mib() { awk -v k="$1" 'BEGIN {printf "%.3f", k / 1024}'; }

# descendants PID: PID and every process below it.
descendants() {
  local p c
  echo "$1"
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    descendants "$c"
  done
}
