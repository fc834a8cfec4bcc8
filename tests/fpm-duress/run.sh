#!/usr/bin/env bash
# php-fpm under duress: a pool of 4 workers recycled every 20 requests (pm.max_requests) and
# killed by request_terminate_timeout (1 s) in the middle of requests (sleeping before or after
# enqueueing, spinning on enQueue/deQueue), plus pools of the test-hooks build whose workers
# pause holding the lock (SHMQUEUE_TEST_PAUSE in the pool's env) and are killed there, under
# concurrent load from cgi-fcgi. Then the queue is drained and checked (see check.php).
#   bash tests/fpm-duress/run.sh                    2,000 plain requests (CI)
#   SHMQUEUE_LONG=1 bash tests/fpm-duress/run.sh    20,000 plain requests, 5 times the rest
#   SHMQUEUE_HOOKS_SO=<.so built with --features test-hooks> skips the build
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/fpm.sh"
require_commands cgi-fcgi "$FPM_BIN" runuser shuf

scale=1 plain=2000
[ "${SHMQUEUE_LONG:-}" = 1 ] && scale=5 plain=20000
queue="fpm-duress-$$"
scratch="fpm-duress-$$-scratch"
pause_points=(locked record-written journal-armed)
make_log_dir dir fpm-duress
at_exit "remove_queues '$queue' '$scratch'"
at_exit fpm_stop
start=$SECONDS

use_hooks_build "$dir" || finish
fpm_prepare "$dir" "$SHMQUEUE_SO" "$here/enqueue.php" "$here/../chaos/lib/message.php" || finish
pools() {
    fpm_pool main 4 20 1s
    for point in "${pause_points[@]}"; do
        fpm_pool "pause-$point" 1 20 1s "env[SHMQUEUE_TEST_PAUSE] = $point" "env[SHMQUEUE_TEST_PAUSE_MS] = 5000"
    done
}
fpm_start main "${pause_points[@]/#/pause-}" < <(pools) || { fail "starting php-fpm: expected the pools to listen, got the log above"; finish; }

# The queue belongs to the pools' user; root (the drain, the checker) opens it trusting that user.
as_pool_user=()
[ "$(id -u)" -eq 0 ] && as_pool_user=(runuser -u www-data --)
for name in "$queue" "$scratch"; do
    "${as_pool_user[@]}" "$PHP_BIN" -n -d extension="$dir/shmqueue.so" -r 'new SHMQueue($argv[1], 32 << 20);' "$name"
done

# One request a line: "<pool> <id> <mode>", shuffled so that the slow ones land amid the load.
{
    for i in $(seq "$plain"); do echo "main r.$i enqueue"; done
    for i in $(seq $((12 * scale))); do echo "main b.$i sleep-before"; echo "main s.$i spin"; done
    for i in $(seq $((24 * scale))); do echo "main a.$i sleep-after"; done
    for k in "${!pause_points[@]}"; do
        for i in $(seq $((2 * scale))); do echo "pause-${pause_points[k]} p$k.$i enqueue"; done
    done
} | shuf >"$dir/requests.txt"
export -f fcgi_get
export dir queue scratch
echo "php-fpm under duress: $(wc -l <"$dir/requests.txt") requests, 6 at a time"
load_start=$SECONDS
timeout 600 xargs -P 6 -L 1 bash -c \
    'fcgi_get "$dir/$0.sock" "$dir/enqueue.php" "id=$1&mode=$2&queue=$queue&scratch=$scratch" >>"$dir/responses.txt"' \
    <"$dir/requests.txt"
echo "load took $((SECONDS - load_start)) s"
# Once the storm is over, the queue still works from php-fpm.
fcgi_get "$dir/main.sock" "$dir/enqueue.php" "id=last.1&mode=enqueue&queue=$queue" >>"$dir/responses.txt"
echo "main last.1 enqueue" >>"$dir/requests.txt"
sleep 0.5
fpm_stop

as_root=("${PHP_RUN[@]}" -d shmqueue.trusted_users=www-data)
if "${as_root[@]}" "$here/../chaos/lib/drain.php" "$dir/drain-main.log" 30 "dequeue:$queue" >"$dir/drain-main.json" &&
    "${as_root[@]}" "$here/../chaos/lib/drain.php" "$dir/drain-scratch.log" 30 "dequeue:$scratch" >"$dir/drain-scratch.json"; then
    "${as_root[@]}" "$here/check.php" "$dir" "$queue" "$scratch" "$plain" | tee "$dir/check.out"
    count_checks "$dir/check.out"
else
    fail "draining the queues: expected the drain to finish, got an error (see above)"
fi
echo "fpm-duress suite took $((SECONDS - start)) s"
finish
