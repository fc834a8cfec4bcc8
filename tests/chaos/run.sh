#!/usr/bin/env bash
# Chaos: producers and consumers (PHP, forked) on two queues for a fixed time while one of them
# is SIGKILLed every few milliseconds, and processes paused inside the critical section (the
# test-hooks build) are killed while they hold the lock; then a fresh process drains the queues
# and the logs are checked: nothing acknowledged lost (beyond one per killed deQueue consumer),
# nothing duplicated or corrupted, queues not wedged, counters consistent (see check.php).
#   bash tests/chaos/run.sh                 20 s of chaos (CI)
#   SHMQUEUE_LONG=1 bash tests/chaos/run.sh 3 minutes (or SHMQUEUE_CHAOS_SECONDS=n)
#   SHMQUEUE_HOOKS_SO=<.so built with --features test-hooks> skips the build
#   SHMQUEUE_KEEP_LOGS=1 keeps the worker logs (the temporary directory is printed)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"

seconds=${SHMQUEUE_CHAOS_SECONDS:-$([ "${SHMQUEUE_LONG:-}" = 1 ] && echo 180 || echo 20)}
make_log_dir dir chaos
dequeue_queue="chaos-$$-dequeue"
lease_queue="chaos-$$-lease"
at_exit "remove_queues '$dequeue_queue' '$lease_queue'"
start=$SECONDS

use_hooks_build "$dir" || finish

echo "chaos for $seconds s on queues $dequeue_queue (deQueue) and $lease_queue (reserve/ack)"
if "${PHP_RUN[@]}" "$here/chaos.php" "$dir" "$seconds" "$dequeue_queue" "$lease_queue" &&
    "${PHP_RUN[@]}" "$here/lib/drain.php" "$dir/drain-0.log" 30 "dequeue:$dequeue_queue" "lease:$lease_queue" >"$dir/drain.json"; then
    "${PHP_RUN[@]}" "$here/check.php" "$dir" "$dequeue_queue" "$lease_queue" | tee "$dir/check.out"
    count_checks "$dir/check.out"
else
    fail "chaos run and drain: expected both to finish, got an error (see above)"
fi
echo "chaos suite took $((SECONDS - start)) s"
finish
