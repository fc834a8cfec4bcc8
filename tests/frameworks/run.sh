#!/usr/bin/env bash
# Framework integrations (frameworks/laravel, frameworks/symfony): their PHPUnit suites, run with
# Laravel's queue worker and Symfony Messenger's worker as Debian packages them (Composer cannot
# download here). Prints PHPUnit's output (with measured figures) and ends with
# "RESULT: N passed, N failed" counted in PHPUnit tests. The PHP version matrix runs it on newer
# Debian releases' Laravel and Symfony too (tests/matrix/frameworks.sh), with:
#   FRAMEWORKS_TESTSUITE=laravel|symfony   one half only
#   FRAMEWORKS_INCLUDE=DIR                 put first on PHP's include path (another Symfony)
set -u
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$DIR/../lib/common.sh"

# Every queue of this run starts with this (tests/frameworks/support/QueueNames.php).
export SHMQ_FW_PREFIX="fw$$"
export SHMQUEUE_SO # worker processes started by the tests load it too

require_commands phpunit
require_extension

# PHPUnit needs php.ini's modules (dom, mbstring, ...), so not `php -n`; but an installed copy
# of the extension (scripts/install.sh) must not shadow the build under test.
use_php_ini
make_temp_dir work_dir frameworks
export TMPDIR="$work_dir" # the tests' job logs and worker output files: removed with it

at_exit "php_ext -r 'foreach (glob(\"/dev/shm/shmqueue.$SHMQ_FW_PREFIX-*\") ?: [] as \$s) SHMQueue::remove(substr(basename(\$s), 9));'"
output="$work_dir/phpunit.out"
php=("$PHP_BIN" -d "extension=$SHMQUEUE_SO")
[ -n "${FRAMEWORKS_INCLUDE:-}" ] && php+=(-d "include_path=$FRAMEWORKS_INCLUDE:$("$PHP_BIN" -r 'echo get_include_path();')")
phpunit=$(command -v phpunit)
# PHPUnit 10 changed the configuration's format: each has its own file.
major=$("${php[@]}" "$phpunit" --version | grep -oE 'PHPUnit [0-9]+' | grep -oE '[0-9]+')
config=phpunit.xml.dist
[ "${major:-9}" -ge 10 ] && config=phpunit10.xml.dist
args=(-c "$DIR/$config")
[ -n "${FRAMEWORKS_TESTSUITE:-}" ] && args+=(--testsuite "$FRAMEWORKS_TESTSUITE")
# Tests of features that the installed Laravel or Symfony does not have yet (queue:pause, ...).
missing=$("${php[@]}" "$DIR/support/missing-features.php") || fail "frameworks: support/missing-features.php runs" "$missing"
# PHPUnit 9 takes one comma-separated list, PHPUnit 11+ want one option per group.
if [ "${major:-9}" -ge 10 ]; then
    for group in ${missing//,/ }; do args+=(--exclude-group "$group"); done
elif [ -n "$missing" ]; then
    args+=(--exclude-group "$missing")
fi
[ -n "$missing" ] && echo "frameworks: not in these versions, their tests left out: $missing"
echo "frameworks: PHP $("$PHP_BIN" -r 'echo PHP_VERSION;'), PHPUnit $major ($config)${FRAMEWORKS_INCLUDE:+, include path first: $FRAMEWORKS_INCLUDE}"
"${php[@]}" -r 'require $argv[1]; foreach ([Illuminate\Queue\Worker::class, Symfony\Component\Messenger\Worker::class] as $c) echo "frameworks: $c from ", (new ReflectionClass($c))->getFileName(), "\n";' "$DIR/bootstrap.php"
started=$(seconds_now)
# setsid: phpunit leads a process group of its own, so that an interrupted run ends its workers too.
setsid "${php[@]}" "$phpunit" "${args[@]}" >"$output" 2>&1 &
phpunit_pid=$!
phpunit_running=1
at_exit '[ -n "$phpunit_running" ] && kill -KILL -- "-$phpunit_pid"'
wait "$phpunit_pid"
status=$?
phpunit_running=""
cat "$output"
echo "frameworks: phpunit took $(seconds_since "$started") s (exit $status)"

# PHPUnit's summary: "OK (N tests, M assertions)" or "Tests: N, Assertions: M, Failures: F, ...".
count() { grep -oE "$1: [0-9]+" "$output" | tail -1 | grep -oE '[0-9]+' || echo 0; }
if ok=$(grep -oE '^OK \([0-9]+ tests?' "$output" | grep -oE '[0-9]+'); then
    tests=$ok
    checks_failed=0
elif grep -qE '^Tests: [0-9]+' "$output"; then
    tests=$(count Tests)
    # Tests that did not run to a pass (skipped, incomplete, risky) count as failed.
    checks_failed=$(( $(count Failures) + $(count Errors) + $(count Skipped) + $(count Incomplete) + $(count Risky) ))
else
    tests=1 # no summary: PHPUnit itself died
    checks_failed=1
fi
[ "$status" -eq 0 ] || [ "$checks_failed" -gt 0 ] || checks_failed=1
checks_passed=$(( tests > checks_failed ? tests - checks_failed : 0 ))
finish
