#!/usr/bin/env bash
# Power loss: producers and consumers run on a durable queue under a shim (shim.c, preloaded)
# that logs what each msync/fsync/fdatasync made durable, while a sampler (sampler.c) logs the
# versions its pages go through; then crash images (images.php: each page its last durable
# version or any newer one seen by T) are opened after a simulated reboot and checked against
# the workload's log (check.php): per policy, always loses nothing acknowledged, batch nothing
# older than the interval, off opens and never misreads. The simulator first proves itself on a
# small C program (toylog.c), and controls prove the checks have teeth. Last, the reboot test:
# every process SIGKILLed mid-work, the file copied as it stands, opened by a fresh process.
#   bash tests/power-loss/run.sh                   1,000 images per policy (CI)
#   SHMQUEUE_LONG=1 bash tests/power-loss/run.sh   a longer workload and 10,000 images per policy
#   SHMQUEUE_KEEP_LOGS=1 keeps the logs and images' sources (the directory is printed)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"

require_commands gcc
require_extension
if [ "${SHMQUEUE_LONG:-}" = 1 ]; then seconds=20 images=10000; else seconds=3 images=1000; fi
interval=0.2 # batch's sync interval: short, so that images fall inside and outside the window
make_log_dir dir power-loss
start=$SECONDS

for program in sampler toylog; do
    gcc -O2 -Wall -o "$dir/$program" "$here/$program.c" || fail "building $program.c: expected success, got the errors above"
done
gcc -O2 -Wall -shared -fPIC -o "$dir/shim.so" "$here/shim.c" -ldl || fail "building shim.c: expected success, got the errors above"
[ "$checks_failed" -eq 0 ] || finish

# record WORK COMMAND...: runs COMMAND under the shim with the sampler on WORK/q (the watched dir)
record() {
    local work=$1 sampler
    shift
    mkdir -p "$work/q" "$work/logs"
    "$dir/sampler" "$work/q/$(basename "$queue_file")" "$work/samples" 2000 "$work/stop" &
    sampler=$!
    POWERLOSS_WATCH=$work/q POWERLOSS_LOG=$work/flushes LD_PRELOAD=$dir/shim.so "$@"
    local status=$?
    touch "$work/stop"
    wait "$sampler"
    touch "$work/flushes"
    return $status
}

# a live thread that holds no lock: the lock word of every image names it (see check.php)
sleep 100000 &
POWERLOSS_LIVE_TID=$!
export POWERLOSS_LIVE_TID
at_exit "kill $POWERLOSS_LIVE_TID"

echo "== the simulator on toylog.c"
queue_file=log
mkdir -p "$dir/toy" "$dir/toy-skip"
record "$dir/toy" "$dir/toylog" "$dir/toy/q/log" always 400 >"$dir/toy/acks"
"${PHP_RUN[@]}" "$here/toycheck.php" "$dir/toy/flushes" "$dir/toy/samples" "$dir/toy/q/log" "$dir/toy/acks" 500 holds | tee "$dir/toy.out"
count_checks "$dir/toy.out"
POWERLOSS_SKIP=3 record "$dir/toy-skip" "$dir/toylog" "$dir/toy-skip/q/log" always 400 >"$dir/toy-skip/acks"
"${PHP_RUN[@]}" "$here/toycheck.php" "$dir/toy-skip/flushes" "$dir/toy-skip/samples" "$dir/toy-skip/q/log" "$dir/toy-skip/acks" 500 breaks | tee "$dir/toy-skip.out"
count_checks "$dir/toy-skip.out"

queue_file=pl.shmq
# (the policy is quoted: PHP reads a bare off in an ini value as "")
# workload WORK POLICY SECONDS: 2 producers, a deQueue consumer and a reserve/ack consumer
workload() {
    "${PHP_RUN[@]}" -d "shmqueue.durable_dir=$1/q" -d "shmqueue.sync=\"$2\"" -d "shmqueue.sync_interval=$interval" \
        "$here/workload.php" "$1/logs" pl "$3" 2 1 1
}
# images WORK POLICY COUNT [control|cold|cold-control]: checks COUNT images of WORK's run (check.php)
images() {
    mkdir -p "$1/open"
    timeout 900 "${PHP_RUN[@]}" -d "shmqueue.durable_dir=$1/open" -d "shmqueue.sync=\"$2\"" \
        "$here/check.php" "$1" "$1/q/$queue_file" "$2" "$interval" "$3" "${4:-}" >"$1/check.out" 2>&1
    local status=$?
    cat "$1/check.out"
    [ $status -eq 0 ] || fail "checking the $2 images: expected the checker to finish (no crash, no hang: 900 s), got status $status (see above)"
    count_checks "$1/check.out"
}

for policy in always batch off; do
    echo "== policy $policy: $seconds s of work, $images crash images"
    if record "$dir/$policy" workload "$dir/$policy" "$policy" "$seconds"; then
        images "$dir/$policy" "$policy" "$images"
    else
        fail "policy $policy: the workload ran to its end: expected success, got a failure (see above)"
    fi
done

echo "== controls: the checks catch broken images"
if POWERLOSS_SKIP=2 record "$dir/skip" workload "$dir/skip" always "$seconds"; then
    images "$dir/skip" always 200 control
else
    fail "control workload ran to its end: expected success, got a failure (see above)"
fi
mkdir -p "$dir/always/torn"
"${PHP_RUN[@]}" -d "shmqueue.durable_dir=$dir/always/torn" "$here/torn.php" "$dir/always" "$dir/always/q/$queue_file" | tee "$dir/torn.out"
count_checks "$dir/torn.out"

echo "== reboot: every process SIGKILLed mid-work, the file as it stands opened by a fresh process"
for policy in off batch; do
    work=$dir/reboot-$policy
    mkdir -p "$work/q" "$work/logs"
    setsid "${PHP_RUN[@]}" -d "shmqueue.durable_dir=$work/q" -d "shmqueue.sync=\"$policy\"" -d "shmqueue.sync_interval=$interval" \
        "$here/workload.php" "$work/logs" pl 60 4 0 1 & # more producers than takers: a backlog, some of it leased
    pid=$!
    at_exit "kill -KILL -- -$pid"
    sleep 2
    kill -KILL -- "-$pid"
    wait "$pid" 2>/dev/null
    sleep 0.2 # the group's last processes are reaped by init
    images "$work" "$policy" 1 cold
done
images "$dir/reboot-batch" batch 1 cold-control
echo "power-loss suite took $((SECONDS - start)) s"
finish
