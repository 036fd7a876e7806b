#!/usr/bin/env bash
# README command 1: install what is missing, build, start psc-engine with its embedded defaults,
# load the busybox test image, run a container end to end through the Docker API (the docker CLI),
# print its output, then stop the engine this script started. Needs root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (containers need namespaces, mounts and cgroups)" >&2; exit 1; }
scripts/install-deps.sh
IMAGES=$(scripts/test-images.sh)
./build.sh build >/dev/null

SOCK=/run/pscontainer/engine.sock
export DOCKER_HOST=unix://$SOCK
LOGFILE=/tmp/psc-engine-demo.log
echo "demo: starting out/bin/psc-engine (log: $LOGFILE)" >&2
out/bin/psc-engine >"$LOGFILE" 2>&1 &
ENGINE=$!
trap 'kill -TERM $ENGINE 2>/dev/null; wait $ENGINE 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  docker version >/dev/null 2>&1 && break
  kill -0 $ENGINE 2>/dev/null || { echo "demo: psc-engine exited; its log:" >&2; cat "$LOGFILE" >&2; exit 1; }
  sleep 0.1
done
docker load -i "$IMAGES/busybox-docker.tar"
echo "demo: docker run --rm busybox echo ..." >&2
docker run --rm busybox echo "hello from a PSContainer container: $(uname -s) $(uname -r)"
docker run --rm busybox sh -c 'echo "hostname=$(hostname) pid=$$ user=$(id -u)"; cat /proc/self/cgroup | head -3'
