#!/usr/bin/env bash
# A real php-fpm pool (8 static workers running as www-data) stores messages from concurrent
# FastCGI requests; a CLI worker, also www-data, drains them. Proves: every acknowledged request
# is delivered exactly once (no loss, no duplicate), several worker processes really wrote at
# once, the counters agree, and the queue belongs to www-data with mode 0600. Done twice: with a
# shared-memory queue, then with a durable one (a file in a durable dir of the suite's own,
# shmqueue.sync=always: every answer waited for its flush).
#   bash tests/fpm/run.sh                  3,000 requests per queue, drained after they are all answered
#   SHMQUEUE_LONG=1 bash tests/fpm/run.sh  30,000 requests, drained while they come in
#   REQUESTS, CONCURRENCY (32), DRAIN (after|during) override either
# Needs: php8.2-fpm, libfcgi-bin (cgi-fcgi), the www-data user (scripts/deps.sh); runs as root.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/fpm.sh"

if [ "${SHMQUEUE_LONG:-}" == 1 ]; then
    REQUESTS=${REQUESTS:-30000} DRAIN=${DRAIN:-during} # more than the default 1 MiB queue holds at once
else
    REQUESTS=${REQUESTS:-3000} DRAIN=${DRAIN:-after}
fi
CONCURRENCY=${CONCURRENCY:-32}
POOL_USER=$FPM_USER

require_extension
require_root "the pool and the drain run as $POOL_USER"
require_commands cgi-fcgi "$FPM_BIN" runuser

# Everything the pool and the worker read lives in a dir www-data can read (the build dir may not be).
make_temp_dir temp fpm
at_exit "remove_queues 'fpm-test-$$'"
at_exit fpm_stop
socket="$temp/shmqueue-test.sock"
# PHP errors go to the response (display_errors) and, with log_errors, to fpm.log, which the
# suite checks.
# The durable queue's dir: the suite's own (the default one exists only after an install).
durable_dir="$temp/durable"
install -d -m 700 -o "$POOL_USER" "$durable_dir"
if fpm_prepare "$temp" "$SHMQUEUE_SO" "$here/enqueue.php" "$here/worker.php" &&
    FPM_EXT+=(-d "shmqueue.durable_dir=$durable_dir" -d shmqueue.sync=always) &&
    fpm_start shmqueue-test < <(fpm_pool shmqueue-test 8 0 0 "clear_env = no" "php_admin_flag[log_errors] = on"); then
    pass "php-fpm started and listens on $socket"
else
    fail "php-fpm started and listens on $socket" "expected: the socket within 10 s" "came: the lines above"
    finish
fi
# The drain, as the pool's user: the queue is 0600, so it must be the same user (or root). It
# drains $queue of $kind (exercise's).
drain() { # [stop file]
    runuser -u "$POOL_USER" -- "$PHP_BIN" "${FPM_EXT[@]}" "$temp/worker.php" "$queue" "$kind" "$@" \
        > "$temp/drained.txt" 2> "$temp/worker.err"
}
first_of() { echo "first: $(head -5 "$1" | cut -c 1-100 | tr '\n' ' ')"; }
stat_of() { awk -v key="$1" '$1 == "stat" && $2 == key { print $3 }' "$temp/drained.txt"; }

# One pass: requests into a queue of KIND (shm, durable), drained and checked.
exercise() { # kind
    local kind=$1 queue file
    if [ "$kind" == durable ]; then
        queue="fpm-durable-$$" file="$durable_dir/fpm-durable-$$.shmq"
    else
        queue="fpm-test-$$" file="/dev/shm/shmqueue.fpm-test-$$"
    fi
    if [ "$DRAIN" == during ]; then
        rm -f "$temp/requests-done"
        drain "$temp/requests-done" &
        drain_pid=$!
        at_exit "kill $drain_pid"
    fi

    # The requests: $CONCURRENCY senders at a time, 25 requests per sender process.
    started=$(seconds_now)
    seq 1 "$REQUESTS" | SOCKET="$socket" SCRIPT_FILENAME="$temp/enqueue.php" QUEUE="$queue" KIND="$kind" \
        xargs -P "$CONCURRENCY" -n 25 bash "$here/request.sh" > "$temp/answers.txt"
    requests_elapsed=$(seconds_since "$started")
    # Listed now, not at start: the socket exists before the master has forked all its workers.
    pool_pids=$(fpm_children | sort)
    # Id lists are sorted as text, the order comm and uniq need.
    awk '$2 == "OK" { print $1 }' "$temp/answers.txt" | sort > "$temp/acknowledged.txt"
    acknowledged=$(wc -l < "$temp/acknowledged.txt")
    check "$kind: all $REQUESTS requests answered OK" "$REQUESTS" "$acknowledged" \
        "$(wc -l < "$temp/answers.txt") answers; first others (id answer): $(awk '$2 != "OK" && shown++ < 3' "$temp/answers.txt" | cut -c 1-150 | tr '\n' ';')"

    check "$kind: queue file $file owned by $POOL_USER, mode 600" "$POOL_USER 600" "$(stat -c '%U %a' "$file" 2>&1)"

    if [ "$DRAIN" == during ]; then
        touch "$temp/requests-done"
        wait "$drain_pid"
    else
        drain
    fi
    worker_status=$?
    check "$kind: worker drained without error (exit status)" 0 "$worker_status" "stderr: $(head -c 300 "$temp/worker.err")"
    awk '$1 == "message" { print $2 }' "$temp/drained.txt" | sort > "$temp/drained_ids.txt"
    uniq "$temp/drained_ids.txt" > "$temp/drained_once.txt"
    uniq -d "$temp/drained_ids.txt" > "$temp/duplicates.txt"
    comm -23 "$temp/acknowledged.txt" "$temp/drained_once.txt" > "$temp/lost.txt"
    comm -13 "$temp/acknowledged.txt" "$temp/drained_once.txt" > "$temp/unexpected.txt"
    grep '^malformed' "$temp/drained.txt" > "$temp/malformed.txt"
    drained=$(wc -l < "$temp/drained_ids.txt")
    received=$(grep -cE '^(message|malformed)' "$temp/drained.txt")
    duplicates=$(wc -l < "$temp/duplicates.txt")
    lost=$(wc -l < "$temp/lost.txt")
    check "$kind: every message well formed ['id' => int, 'pid' => int]" 0 "$(wc -l < "$temp/malformed.txt")" "$(first_of "$temp/malformed.txt")"
    check "$kind: no acknowledged id lost" 0 "$lost" "$(first_of "$temp/lost.txt")"
    check "$kind: no id delivered twice" 0 "$duplicates" "$(first_of "$temp/duplicates.txt")"
    check "$kind: no id delivered that was not acknowledged" 0 "$(wc -l < "$temp/unexpected.txt")" "$(first_of "$temp/unexpected.txt")"

    writer_pids=$(awk '$1 == "message" { print $3 }' "$temp/drained.txt" | sort -u)
    distinct_pids=$(echo "$writer_pids" | grep -c .)
    if [ "$distinct_pids" -ge 2 ]; then
        pass "$kind: messages came from $distinct_pids distinct worker processes (at least 2)"
    else
        fail "$kind: messages came from at least 2 distinct worker processes" "expected: >= 2" "came:     $distinct_pids"
    fi
    check "$kind: every writer pid is one of the pool's $(echo "$pool_pids" | grep -c .) workers" "" \
        "$(comm -23 <(echo "$writer_pids" | grep .) <(echo "$pool_pids") | tr '\n' ' ')"

    check "$kind: stats: enqueued = acknowledged, dequeued = received by the worker, length 0" \
        "enqueued $acknowledged, dequeued $received, length 0" \
        "enqueued $(stat_of enqueued), dequeued $(stat_of dequeued), length $(stat_of length)"
    if [ "$kind" == durable ]; then
        check "durable: stats: durable, sync always, flushes made" "durable true, sync 'always', flushes made" \
            "durable $(stat_of durable), sync $(stat_of sync), flushes $(stat_of flushes | awk '{ print ($1 > 0) ? "made" : $1 }')"
    fi
    check "$kind: php-fpm log: no worker crashed or logged a PHP error" "" \
        "$(grep -m 3 -E 'exited on signal|exited with code [1-9]|PHP (Fatal|Warning|Notice|Deprecated)|SIGSEGV' "$temp/fpm.log")"

    echo "figures ($kind): $REQUESTS requests ($CONCURRENCY concurrent, drained $DRAIN), $acknowledged acknowledged, $drained drained," \
        "$duplicates duplicates, $lost lost, $distinct_pids distinct worker pids, requests took $requests_elapsed s," \
        "the pass $(seconds_since "$started") s"
}

exercise shm
exercise durable
finish
