# Shared by the reliability suites (chaos, fpm-duress, leaks, permissions), on top of
# tests/lib/common.sh: the checks the PHP checkers print ("ok - what" / "FAIL - what: ...",
# lib/checks.php) counted with the suite's own, PHP without php.ini, and the test-hooks build.
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"   # pass, fail, check, finish
export PHP_BIN SHMQUEUE_SO

# Adds up the ok/FAIL lines in a file written by a PHP checker; a checker that printed no
# check at all (it crashed before the first) counts as one failure.
count_checks() { # file
    local ok bad
    ok=$(grep -c '^ok - ' "$1")
    bad=$(grep -c '^FAIL - ' "$1")
    checks_passed=$((checks_passed + ok))
    checks_failed=$((checks_failed + bad))
    if [ $((ok + bad)) -eq 0 ]; then
        fail "$(basename "$1"): expected check results, got none (see the output above)"
    fi
}

# Installs a Debian package when missing (CI may be a fresh machine).
need_package() { # package
    dpkg -s "$1" >/dev/null 2>&1 && return 0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null 2>&1; }
}

# Sets PHP_RUN, the PHP command of these suites, for the extension $SHMQUEUE_SO: no php.ini, so
# that a shmqueue installed system-wide is not loaded instead of the build under test, plus the
# shared extensions the suites use. Exports the same flags (one a line) as SHMQUEUE_PHP_FLAGS
# for PHP scripts that start PHP processes themselves.
php_setup() {
    local ext built_in
    built_in=$("$PHP_BIN" -n -m)
    PHP_RUN=("$PHP_BIN" -n -d memory_limit=1G)
    for ext in posix pcntl; do
        grep -qx "$ext" <<<"$built_in" || PHP_RUN+=(-d "extension=$ext")
    done
    PHP_RUN+=(-d "extension=$SHMQUEUE_SO")
    SHMQUEUE_PHP_FLAGS=$(printf '%s\n' "${PHP_RUN[@]:1}")
    export SHMQUEUE_PHP_FLAGS
}
php_setup

# Removes queues by name with the extension (missing ones are fine).
remove_queues() { # name...
    [ $# -gt 0 ] || return 0
    "${PHP_RUN[@]}" -r 'foreach (array_slice($argv, 1) as $n) { try { SHMQueue::remove($n); } catch (Throwable $e) { fwrite(STDERR, $e->getMessage() . "\n"); } }' -- "$@" 2>&1 || true
}

# Points SHMQUEUE_SO at the build with test hooks (pause points inside the critical section,
# compiled only with the test-hooks feature), kept in its own target directory; cargo rebuilds it
# only when the sources changed. SHMQUEUE_HOOKS_SO=<path> uses such a build made beforehand.
use_hooks_build() { # dir for the build log
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
    if [ -n "${SHMQUEUE_HOOKS_SO:-}" ]; then
        export SHMQUEUE_SO="$SHMQUEUE_HOOKS_SO"
        php_setup
    elif (cd "$root" && CARGO_TARGET_DIR=target/hooks SHMQUEUE_FEATURES=test-hooks bash scripts/build.sh >"$1/build.txt" 2>&1); then
        pass "built the extension with test hooks"
        export SHMQUEUE_SO="$root/target/hooks/release/libshmqueue.so"
        php_setup
    else
        tail -20 "$1/build.txt"
        fail "building the extension with test hooks: expected success, got the errors above"
        return 1
    fi
}
