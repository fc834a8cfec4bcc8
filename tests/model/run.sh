#!/usr/bin/env bash
# A randomized test of the whole SHMQueue API against a model of the queue in plain PHP:
#   single.php   one process, random calls of every method, each result checked exactly
#                against the model (values of every kind, leases, delays, dead letters, counters)
#   multi.php    forked producers and consumers at random, random SIGKILLs (blocked waiters too),
#                remove() mid-way; the logs checked for loss, duplicates, order and damage
#   bailout.php  exit(), memory_limit, time limit, warnings, exceptions and re-entry inside
#                __wakeup/__serialize/signal handlers, each in a child PHP process
# The seed is printed; SHMQUEUE_MODEL_SEED=<seed> runs the same operations again (timing aside).
#   bash tests/model/run.sh                   about 45 s (CI)
#   SHMQUEUE_LONG=1 bash tests/model/run.sh   a few minutes
#   SHMQUEUE_MODEL_SKIP=refs,poison,hoard     leaves out value kinds or operations (to look past
#                                             a known failure); SHMQUEUE_MODEL_ROUND=<n> reruns one
#                                             single-process round
set -uo pipefail
source "$(dirname "$0")/../lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

require_extension
seed=${SHMQUEUE_MODEL_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
if [ "${SHMQUEUE_LONG:-}" = 1 ]; then single_seconds=90 multi_seconds=120; else single_seconds=15 multi_seconds=20; fi
flags=()                                   # posix and pcntl, when PHP has them as shared extensions
built_in=$("$PHP_BIN" -n -m)
for ext in posix pcntl; do
    grep -qx "$ext" <<<"$built_in" || flags+=(-d "extension=$ext")
done
export MODEL_PHP_FLAGS
MODEL_PHP_FLAGS=$(printf '%s\n' "${flags[@]}" -d "extension=$SHMQUEUE_SO")
make_temp_dir logs model
prefix="model-$$"
remove_our_queues() {                       # whatever a part left behind (it was killed, say)
    local segment
    for segment in /dev/shm/shmqueue."$prefix"-*; do
        [ -e "$segment" ] && remove_queue "${segment#/dev/shm/shmqueue.}"
    done
}
at_exit remove_our_queues
echo "seed $seed (SHMQUEUE_MODEL_SEED=$seed reproduces it)${SHMQUEUE_MODEL_SKIP:+, skipping ${SHMQUEUE_MODEL_SKIP}}"

# Counts the "ok - " and "FAIL - " lines a PHP part printed; a part that printed none failed.
count_results() { # part file status
    local ok bad
    ok=$(grep -c '^ok - ' "$2")
    bad=$(grep -c '^FAIL - ' "$2")
    checks_passed=$((checks_passed + ok))
    checks_failed=$((checks_failed + bad))
    if [ "$3" -ne 0 ] || [ $((ok + bad)) -eq 0 ]; then
        fail "$1 runs to its end" "expected: exit 0 and check results" "came:     exit $3, $((ok + bad)) results (output above)"
    fi
}

start=$(seconds_now)
php_ext "${flags[@]}" "$here/single.php" "$seed" "$single_seconds" "$prefix" >"$logs/single.out" 2>&1
status=$?
cat "$logs/single.out"
count_results single "$logs/single.out" "$status"

php_ext "${flags[@]}" "$here/multi.php" "$seed" "$multi_seconds" "$prefix-multi" "$logs" >"$logs/multi.out" 2>&1
status=$?
cat "$logs/multi.out"
count_results multi "$logs/multi.out" "$status"

php_ext "${flags[@]}" "$here/bailout.php" "$prefix" >"$logs/bailout.out" 2>&1
status=$?
cat "$logs/bailout.out"
count_results bailout "$logs/bailout.out" "$status"

echo "model test: seed $seed, $(seconds_since "$start") s"
finish
