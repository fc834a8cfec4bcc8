# The test library (tests/lib), for every integration suite (tests/<suite>/run.sh) and the scripts
# that need it: check counting with one result format, a private temp dir, cleanup steps run at
# exit. With it come tests/lib/php.sh (the build, PHP_RUN, php_ext, remove_queues); php-fpm pools
# are in tests/lib/fpm.sh.
#   source "$(dirname "$0")/../lib/common.sh"
#   make_temp_dir temp fpm               # temp=/tmp/shmqueue-fpm.XXXXXX, removed at exit
#   make_log_dir dir chaos               # the same, kept when SHMQUEUE_KEEP_LOGS=1
#   at_exit "kill $pid"                  # steps run at exit, newest first
#   check "what is true" "$expected" "$actual" ["detail"...]; pass "..."; fail "..." "detail"...
#   expect "what is true" "$actual" -le 3; wait_until 5 command args...
#   count_checks FILE                    # adds the ok/FAIL lines a PHP checker wrote
#   require_commands CMD...; require_extension; require_root
#   use_php_ini; php_ini_ext ARGS...     # PHP with php.ini's modules and the build under test
#   finish                               # prints RESULT: N passed, N failed; exits 1 if any failed
# One line per check, the same from shell and PHP (tests/chaos/lib/checks.php):
#   "ok - what" or "FAIL - what[: why]" (detail lines indented below a FAIL).
source "$(dirname "${BASH_SOURCE[0]}")/php.sh"

checks_passed=0
checks_failed=0

pass() { # description
    checks_passed=$((checks_passed + 1))
    echo "ok - $1"
}

fail() { # description [detail lines...]
    checks_failed=$((checks_failed + 1))
    echo "FAIL - $1"
    shift
    local line
    for line in "$@"; do echo "       $line"; done
}

expect() { # description actual op expected   (op: a test(1) operator: -eq -lt -gt = != ...)
    if [ "$2" "$3" "$4" ]; then
        pass "$1"
    else
        fail "$1: expected $3 $4, got $2"
    fi
}

check() { # description expected actual [detail lines shown on failure...]
    if [ "$2" == "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected: $2" "came:     $3" "${@:4}"
    fi
}

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

finish() {
    echo "RESULT: $checks_passed passed, $checks_failed failed"
    [ "$checks_failed" -eq 0 ] && exit 0
    exit 1
}

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms; false when it never succeeded
wait_until() {
    local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
    shift
    until "$@"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

# Cleanup steps (shell commands) run at exit, newest first, whatever ends the suite.
exit_steps=()
at_exit() { exit_steps+=("$1"); }
run_exit_steps() {
    local i
    for ((i = ${#exit_steps[@]} - 1; i >= 0; i--)); do
        eval "${exit_steps[i]}" >/dev/null 2>&1 || true
    done
    exit_steps=()
}
trap run_exit_steps EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

make_temp_dir() { # variable purpose: sets the variable to a fresh dir under /tmp, removed at exit
    local made_temp_dir                # (not echoed: at_exit must run in this shell, not a $(...);
    made_temp_dir=$(mktemp -d "/tmp/shmqueue-$2.XXXXXX") || return 1   # a name no caller uses)
    at_exit "rm -rf '$made_temp_dir'"
    printf -v "$1" '%s' "$made_temp_dir"
}

# The same, kept (and named) when SHMQUEUE_KEEP_LOGS=1: the worker logs of a failed run.
make_log_dir() { # variable purpose
    if [ -n "${SHMQUEUE_KEEP_LOGS:-}" ]; then
        printf -v "$1" '%s' "$(mktemp -d "/tmp/shmqueue-$2.XXXXXX")" && echo "logs kept in ${!1}"
    else
        make_temp_dir "$1" "$2"
    fi
}

# Each require_* stops the suite with one failed check when what it needs is not there.
require_commands() { # command...
    local missing
    missing=$(missing_commands "$@")
    [ -z "$missing" ] && return 0
    fail "the commands this suite needs are installed" "expected: $*" \
        "missing:  $(echo $missing) (bash scripts/deps.sh installs them)"
    finish
}

require_extension() {
    if [ ! -r "$SHMQUEUE_SO" ]; then
        fail "extension is built" "expected: a readable $SHMQUEUE_SO (run scripts/build.sh)" "came:     no such file"
        finish
    fi
}

require_root() { # why
    if [ "$(id -u)" -ne 0 ]; then
        fail "runs as root" "expected: uid 0 ($1)" "came:     uid $(id -u)"
        finish
    fi
}

# Points SHMQUEUE_SO at the build with test hooks (pause points inside the critical section,
# compiled only with the test-hooks feature), kept in its own target directory; cargo rebuilds it
# only when the sources changed. SHMQUEUE_HOOKS_SO=<path> uses such a build made beforehand.
use_hooks_build() { # dir for the build log
    if [ -n "${SHMQUEUE_HOOKS_SO:-}" ]; then
        SHMQUEUE_SO=$SHMQUEUE_HOOKS_SO
    elif (cd "$REPO_ROOT" && CARGO_TARGET_DIR=target/hooks SHMQUEUE_FEATURES=test-hooks bash scripts/build.sh >"$1/build.txt" 2>&1); then
        pass "built the extension with test hooks"
        SHMQUEUE_SO=$REPO_ROOT/target/hooks/release/libshmqueue.so
    else
        tail -20 "$1/build.txt"
        fail "building the extension with test hooks: expected success, got the errors above"
        return 1
    fi
    php_setup
}

# For suites whose PHP needs php.ini's modules (redis, mbstring, dom, ...): PHP_INI_SCAN_DIR
# becomes a copy of conf.d without an installed shmqueue's file, and php_ini_ext runs PHP with
# those modules and the build under test.
use_php_ini() {
    local dir
    make_temp_dir dir php-ini
    ini_dir_without_shmqueue "$dir"
    export PHP_INI_SCAN_DIR=$dir
}
php_ini_ext() { "$PHP_BIN" -d "extension=$SHMQUEUE_SO" "$@"; }

seconds_now() { date +%s.%N; }
seconds_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }
