#!/usr/bin/env bash
# Makes the test images (../shared/images/make-test-images.sh) once and caches them outside the
# checkout, so clean clones and CI reuse them. Prints the directory.
#   PSC_TEST_IMAGES   where to keep them (default /var/cache/pscontainer/test-images)
#   --with-debian     also the Debian minbase image (benchmarks; takes a minute or two)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${PSC_TEST_IMAGES:-/var/cache/pscontainer/test-images}
MAKER=${PSC_IMAGE_MAKER:-$ROOT/../shared/images/make-test-images.sh}
want_debian=${1:-}
need=busybox-oci.tar
[ "$want_debian" = --with-debian ] && need=debian-oci.tar
if [ ! -f "$DIR/$need" ] || [ ! -f "$DIR/SHA256SUMS" ]; then
  [ -x "$MAKER" ] || { echo "test-images: $MAKER not found (expected shared/ beside the checkout)" >&2; exit 1; }
  echo "test-images: building into $DIR" >&2
  maker=$MAKER
  if [ "$want_debian" = --with-debian ] && grep -q '^  step "debootstrap' "$MAKER"; then
    # Known bug in the shared maker: its Debian step repacks into $L, which still names the
    # layered image, so umoci fails with "open CAS: invalid image". Run a copy with L pointing at
    # the Debian layout for that step (and HERE at the original folder) until shared/ is fixed.
    maker=$(mktemp "${TMPDIR:-/tmp}/make-test-images.XXXXXX.sh")
    trap 'rm -f "$maker"' EXIT
    sed -e 's|^  step "debootstrap|  L=$D step "debootstrap|' \
        -e "s|^HERE=.*|HERE=$(dirname "$MAKER")|" "$MAKER" >"$maker"
    chmod +x "$maker"
  fi
  "$maker" "$DIR" $want_debian >&2
fi
echo "$DIR"
