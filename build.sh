#!/usr/bin/env bash
# Thin front door; the build logic is in build/PSContainer.Build.proj, the setup in scripts/.
#   ./build.sh            build everything into out/
#   ./build.sh demo       install what is missing, build, start the engine, run busybox end to end
#   ./build.sh test       install what is missing, build, run every test suite, print the totals
#   ./build.sh clean      remove out/
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-build}" in
  build) exec dotnet msbuild build/PSContainer.Build.proj -nologo -v:m -t:Build ;;
  clean) exec dotnet msbuild build/PSContainer.Build.proj -nologo -v:m -t:Clean ;;
  demo)  exec scripts/demo.sh ;;
  test)  exec scripts/test.sh "${@:2}" ;;
  *) echo "usage: $0 [build|demo|test|clean]" >&2; exit 2 ;;
esac
