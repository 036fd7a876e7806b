# Sourced by bench/run.sh: the measuring tool, the run's metadata, the report, the README section.

# build_tool: psc-bench (bench/PSContainer.Bench) into its own artifacts folder; sets BENCH_TOOL.
build_tool() {
  local art=${PSC_BENCH_TOOL_ART:-/tmp/psc-bench-tool}
  log "building the measuring tool (bench/PSContainer.Bench) into $art"
  dotnet build "$ROOT/bench/PSContainer.Bench/PSContainer.Bench.csproj" -c Release --artifacts-path "$art" -v:quiet -nologo >"$art.log" 2>&1 ||
    { cat "$art.log" >&2; die "bench/PSContainer.Bench did not build"; }
  BENCH_TOOL=$(echo "$art"/bin/PSContainer.Bench/release*/psc-bench)
  [ -x "$BENCH_TOOL" ] || die "psc-bench not found under $art/bin"
}

write_meta() {
  local git_commit
  git_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -n "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ] && git_commit="$git_commit (src modified)"
  jq -n --arg started "$STARTED" --arg machine "$(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), Linux $(uname -r)" \
    --arg load "$LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" --arg note "$NOTE" \
    --arg commit "$git_commit" --argjson runs "$RUNS" --argjson warmup "$WARMUP" --argjson smoke "$([ "$SMOKE" = 1 ] && echo true || echo false)" \
    --arg fifty "$FIFTY" --arg fifty_runs "$FIFTY_ITER" --arg mem "$MEM_CONTAINERS" --arg api "$API_CONTAINERS" \
    --arg image "$([ "$PULL_NAME" = debian ] && echo Debian || echo "layered (4-layer busybox)")" --arg benchmarks "$SELECTED" --arg bin "$PSC_BIN" \
    --arg dockerd "$(dockerd --version 2>/dev/null | sed 's/Docker version //; s/,.*//')" \
    --arg containerd "$(containerd --version 2>/dev/null | awk '{print $3}')" \
    --arg podman "$(podman --version 2>/dev/null | awk '{print $3}')" \
    --arg runc "$(runc --version 2>/dev/null | awk 'NR==1 {print $3}')" \
    --arg cli "$("$DOCKER_CLI" --version 2>/dev/null | sed 's/Docker version //; s/,.*//')" \
    '{started: $started, machine: $machine, load: $load, note: $note, commit: $commit, runs: $runs, warmup: $warmup, smoke: $smoke,
      parameters: {fifty: $fifty, fifty_runs: $fifty_runs, mem: $mem, api: $api, image: $image},
      benchmarks: $benchmarks, psc_bin: $bin,
      versions: {dockerd: $dockerd, containerd: $containerd, podman: $podman, runc: $runc, "docker CLI": $cli}}' >"$OUT/meta.json"
}
write_report() { # DIR: results.md and results.json from DIR's samples, meta and traces
  "$BENCH_TOOL" report --samples "$1/samples.jsonl" --meta "$1/meta.json" --trace "$1/trace-engine.jsonl" \
    --runtime-trace "$1/trace-runtime.jsonl" --out "$1" || die "psc-bench report failed"
  jq -e '.figures | length > 0' "$1/results.json" >/dev/null || die "$1/results.json has no figures"
  cat "$1/results.md"
  log "results: $1/results.md and $1/results.json"
}
update_readme() { # DIR: its table becomes the "Performance" section at the end of README.md
  local section
  section=$(mktemp)
  { echo "## Performance"; echo
    echo "Measured by \`sudo bench/run.sh\` (method and figures: [bench/README.md](bench/README.md)); the latest full run:"; echo
    cat "$1/results.md"; } >"$section"
  awk -v section="$section" '
    /^## Performance[[:space:]]*$/ { while ((getline line < section) > 0) print line; skip = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }' README.md >README.md.new
  grep -q '^## Performance' README.md.new || { echo; cat "$section"; } >>README.md.new
  mv README.md.new README.md; rm -f "$section"
  log "README.md: Performance section updated"
}
