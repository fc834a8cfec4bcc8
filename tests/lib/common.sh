# Shared by the integration suites (source it from tests/<suite>/run.sh): where things are, check
# counting with the final RESULT line, a private temp dir, and cleanup steps run at exit.
#   source "$(dirname "$0")/../lib/common.sh"
#   make_temp_dir temp fpm               # temp=/tmp/shmqueue-fpm.XXXXXX, removed at exit
#   at_exit "kill $pid"                  # steps run at exit, newest first
#   check "what is true" "$expected" "$actual" ["detail"...]; pass "..."; fail "..." "detail"...
#   expect "what is true" "$actual" -le 3; wait_until 5 command args...
#   finish                               # prints RESULT: N passed, N failed; exits 1 if any failed

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHMQUEUE_SO=${SHMQUEUE_SO:-$REPO_ROOT/target/release/libshmqueue.so}
PHP_BIN=${PHP_BIN:-php}

checks_passed=0
checks_failed=0

pass() { # description
    checks_passed=$((checks_passed + 1))
    echo "ok   $1"
}

fail() { # description [detail lines...]
    checks_failed=$((checks_failed + 1))
    echo "FAIL $1"
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

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms; false when it never succeeded
wait_until() {
    local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
    shift
    until "$@"; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}

check() { # description expected actual [detail lines shown on failure...]
    if [ "$2" == "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected: $2" "came:     $3" "${@:4}"
    fi
}

finish() {
    echo "RESULT: $checks_passed passed, $checks_failed failed"
    [ "$checks_failed" -eq 0 ] && exit 0
    exit 1
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
    local dir                          # (not echoed: at_exit must run in this shell, not a $(...))
    dir=$(mktemp -d "/tmp/shmqueue-$2.XXXXXX") || return 1
    at_exit "rm -rf '$dir'"
    printf -v "$1" '%s' "$dir"
}

ensure_packages() { # Debian packages this suite needs; installs the missing ones
    local package missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

require_extension() { # stops the suite (one failed check) when the extension is not built
    if [ ! -r "$SHMQUEUE_SO" ]; then
        fail "extension is built" "expected: a readable $SHMQUEUE_SO (run scripts/build.sh)" "came:     no such file"
        finish
    fi
}

php_ext() { # runs PHP with only the extension loaded (no php.ini, so nothing else interferes)
    "$PHP_BIN" -n -d extension="$SHMQUEUE_SO" "$@"
}

remove_queue() { # name: deletes the queue if it exists
    php_ext -r 'SHMQueue::remove($argv[1]);' "$1"
}

seconds_now() { date +%s.%N; }
seconds_since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'; }
