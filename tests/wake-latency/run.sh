#!/usr/bin/env bash
# Wake-up latency, idle CPU and signal delay of blocked SHMQueue calls (see wake.php).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
require_extension
prefix=wake-latency-$$
at_exit "remove_queues $(printf "'$prefix-%s' " wake idle full signal signal-full)"
make_temp_dir dir wake-latency

php_ext "$here/wake.php" "$prefix" >"$dir/wake.out" 2>&1
status=$?
# wake.php writes "ok   what" / "FAIL what" and a RESULT line of its own: counted here the one
# way every PHP checker's lines are (until it prints checks.php's "ok - " / "FAIL - " itself).
grep -v '^RESULT: ' "$dir/wake.out" | sed -E 's/^ok   /ok - /; s/^FAIL /FAIL - /' | tee "$dir/checks.out"
count_checks "$dir/checks.out"
[ "$status" -eq 0 ] || grep -q '^FAIL - ' "$dir/checks.out" || fail "wake.php exits 0" "came:     exit status $status"
finish
