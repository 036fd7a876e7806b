#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the benchmarks use, when missing.
# Idempotent and quiet when everything is there; needs root (apt-get).
set -euo pipefail
PACKAGES=(
  gcc libc6-dev          # psc-nsexec
  runc                   # reference runtime for differential tests
  busybox-static umoci skopeo jq tar   # ../shared/images/make-test-images.sh
  zstd                   # zstd-compressed image layers are decompressed by the zstd program
  docker-registry        # a real registry on 127.0.0.1 for pull/push tests
  iptables iproute2      # bridge networking and port publishing
  podman docker.io uidmap  # engines driving psc-runc, and side-by-side benchmarks
  wrk                    # bench/port-rate.sh: HTTP load through published ports
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}; run as root (sudo $0)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the services these packages ship; PSContainer's tests and benchmarks start their
# own private instances, so keep the system ones out of the way.
for s in docker.service docker.socket containerd.service docker-registry.service; do
  systemctl disable --now "$s" >/dev/null 2>&1 || true
done
