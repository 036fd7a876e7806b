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
  "$MAKER" "$DIR" $want_debian >&2
fi
echo "$DIR"
