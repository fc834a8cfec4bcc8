#!/usr/bin/env bash
# The matrix's setup (tests/matrix/setup.sh) started early, without running any test: every
# version side by side, niced to the idle class so the suites running meanwhile keep the CPU and
# the disk. scripts/test.sh starts it in the background; its failures are reported by the matrix
# itself, which repeats whatever did not finish.
set -uo pipefail
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/setup.sh"
matrix_can_run || exit 0
renice -n 19 -p $$ >/dev/null
ionice -c 3 -p $$ 2>/dev/null
fetch_crates || exit 1
for version in $matrix_versions; do
    prepare_version "$version" &
done
wait
