# Part of the test library (tests/lib): where the build is, how PHP runs it, and what a run needs.
# Sourced by tests/lib/common.sh, and on its own by scripts and the benchmark (no checks, no traps).
#   PHP_RUN=(php -n ... -d extension=$SHMQUEUE_SO)  the PHP of the suites; php_ext ARGS... runs it
#   remove_queues NAME...                           removes queues (missing ones are fine)
#   missing_commands CMD...                         prints those not installed (see scripts/deps.sh)
#   ini_dir_without_shmqueue DIR                    PHP's conf.d as links in DIR, minus shmqueue's

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHMQUEUE_SO=${SHMQUEUE_SO:-$REPO_ROOT/target/release/libshmqueue.so}
PHP_BIN=${PHP_BIN:-php}
export PHP_BIN SHMQUEUE_SO

# Sets PHP_RUN, the PHP command of the suites, for the extension $SHMQUEUE_SO: no php.ini, so
# that a shmqueue installed system-wide (scripts/demo.sh installs one) is not loaded instead of
# the build under test, plus the shared extensions the suites use. Exports the same flags (one a
# line) as SHMQUEUE_PHP_FLAGS for PHP scripts that start PHP processes themselves.
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

php_ext() { "${PHP_RUN[@]}" "$@"; }

# Removes queues by name with the extension (missing ones are fine; other errors on stderr).
remove_queues() { # name...
    [ $# -gt 0 ] || return 0
    php_ext -r 'foreach (array_slice($argv, 1) as $n) { try { SHMQueue::remove($n); } catch (Throwable $e) { fwrite(STDERR, $e->getMessage() . "\n"); } }' -- "$@" || true
}

# The commands of a run come from scripts/deps.sh, never installed half-way through (a package
# that arrives after test.sh copied PHP's ini directory is missed by PHP).
missing_commands() { # command...
    local command
    for command in "$@"; do
        command -v "$command" >/dev/null || echo "$command"
    done
}

# For PHPs that read php.ini (PHPUnit needs its modules) yet must load the build under test with
# -d extension=: a copy (links) of PHP's conf.d without the file that loads an installed shmqueue,
# which would be loaded first. Use as PHP_INI_SCAN_DIR. Honours a PHP_INI_SCAN_DIR already set.
ini_dir_without_shmqueue() { # dir (made if missing)
    local scan_dir ini
    scan_dir=${PHP_INI_SCAN_DIR:-$("$PHP_BIN" -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')}
    mkdir -p "$1"
    for ini in "$scan_dir"/*.ini; do
        [ -e "$ini" ] || continue
        grep -qE '^\s*(zend_)?extension\s*=.*shmqueue' "$ini" || ln -sf "$ini" "$1/"
    done
}
