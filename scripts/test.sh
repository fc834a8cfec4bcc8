#!/usr/bin/env bash
# Runs every test of shmqueue on this machine (installing what it needs on Debian first, all of
# it from the one list in scripts/deps.sh):
#   1. cargo test: the queue core and the value codec (no PHP), multi-process and crash tests;
#   2. php-tests/*.phpt with PHP's run-tests.php against the freshly built extension;
#   3. every integration suite tests/<suite>/run.sh (compatibility, php-fpm, chaos, ...), each
#      ending with a line "RESULT: N passed, N failed".
# Ends with "N passed, N failed" over all of them; exits non-zero if anything failed.
# SHMQUEUE_LONG=1 runs the long variants of the suites that have them.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/deps.sh || { echo "installing dependencies failed"; echo "0 passed, 1 failed"; exit 1; }
# The PHP version matrix (tests/matrix) runs last; its setup (chroots, a ZTS PHP, cold builds:
# most of a first run's time) starts now, in the background at idle priority.
bash tests/matrix/prepare.sh >/dev/null 2>&1 &
bash scripts/build.sh >/dev/null || { echo "building the extension failed"; echo "0 passed, 1 failed"; exit 1; }
export SHMQUEUE_SO="$root/target/release/libshmqueue.so"
export PHP_BIN="${PHP_BIN:-$(command -v php)}"
source tests/lib/php.sh

# Tests load the freshly built extension with -d extension=...; where the quick start installed
# and enabled a copy system-wide, PHP would load it twice. Give PHP the system's ini directory
# without it (the install suite, which checks the system setup itself, gets the real one).
# Made after deps.sh: a package installed later would be missing from it.
test_scan_dir=$(mktemp -d /tmp/shmqueue-ini.XXXXXX)
ini_dir_without_shmqueue "$test_scan_dir"
export PHP_INI_SCAN_DIR="$test_scan_dir"
uses_system_ini=" install "

passed=0
failed=0
summary=()
count() { # suite passed failed [note]
    passed=$((passed + $2))
    failed=$((failed + $3))
    summary+=("$(printf '%-22s %5d passed, %d failed%s' "$1" "$2" "$3" "${4:+ ($4)}")")
}
log_dir=$(mktemp -d /tmp/shmqueue-tests.XXXXXX)

echo "== cargo test (core, codec, command line)"
# No `|| true` after the pipe: it would reset PIPESTATUS when grep finds nothing.
cargo test --release -p shmqueue-core -p shmqueue-codec -p shmqueue-cli 2>&1 | tee "$log_dir/cargo.log" | grep -E "^test result|panicked|FAILED|^error"
status=${PIPESTATUS[0]}
read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { print p+0, f+0 }' "$log_dir/cargo.log")
[ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
count "cargo test" "$p" "$f"

echo "== phpt (run-tests.php)"
run_tests=$("$PHP_BIN" -r 'echo ini_get("extension_dir");')/../build/run-tests.php
[ -f "$run_tests" ] || run_tests=/usr/lib/php/20220829/build/run-tests.php
TEST_PHP_EXECUTABLE="$PHP_BIN" NO_INTERACTION=1 "$PHP_BIN" "$run_tests" -q --show-diff \
    -d extension="$SHMQUEUE_SO" -j2 php-tests/ > "$log_dir/phpt.log" 2>&1
grep -E "^(FAIL|BORK|LEAK)" "$log_dir/phpt.log" || true
p=$(awk -F: '/^Tests passed/ { gsub(/ /, "", $2); split($2, a, "("); print a[1] }' "$log_dir/phpt.log")
f=$(awk -F: '/^Tests failed/ { gsub(/ /, "", $2); split($2, a, "("); print a[1] }' "$log_dir/phpt.log")
b=$(grep -c "^BORK" "$log_dir/phpt.log")
# A skipped test is neither passed nor failed: say which and why, in plain sight.
s=$(awk -F: '/^Tests skipped/ { gsub(/ /, "", $2); split($2, a, "("); print a[1] }' "$log_dir/phpt.log")
[ "${s:-0}" -gt 0 ] && sed 's/\x1b\[[0-9;]*m//g' "$log_dir/phpt.log" | grep -oE 'SKIP .*' | sed 's/^/  /'
if [ -z "$p" ]; then tail -20 "$log_dir/phpt.log"; p=0; f=1; fi
count "phpt" "${p:-0}" "$(( ${f:-0} + b ))" "$([ "${s:-0}" -gt 0 ] && echo "$s skipped: see above")"

for suite in $(ls tests/*/run.sh | grep -v '^tests/matrix/') tests/matrix/run.sh; do
    [ -f "$suite" ] || continue
    name=$(basename "$(dirname "$suite")")
    echo "== $name"
    if [[ "$uses_system_ini" == *" $name "* ]]; then
        env -u PHP_INI_SCAN_DIR bash "$suite" 2>&1 | tee "$log_dir/$name.log"
    else
        bash "$suite" 2>&1 | tee "$log_dir/$name.log"
    fi
    status=${PIPESTATUS[0]}
    read -r p f < <(awk '/^RESULT: [0-9]+ passed, [0-9]+ failed/ { p = $2; f = $4 } END { print p+0, f+0 }' "$log_dir/$name.log")
    [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    count "$name" "$p" "$f"
done

echo
echo "== summary (logs in $log_dir)"
printf '%s\n' "${summary[@]}"
rm -rf "$test_scan_dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
