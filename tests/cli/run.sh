#!/usr/bin/env bash
# The shmqueue command against live queues written by PHP: list, stats (text, --json equal to
# PHP's stats(), --prometheus well formed), peek (states, attempts, values as PHP writes them),
# dead, requeue-dead, purge, remove, watch; exit codes and messages for a missing queue (2), a
# queue it may not open (3, as nobody), a queue of another layout version (4), a lock nobody
# releases (told who holds it, no hang), usage mistakes (1); and a queue that a PHP producer and
# consumer use while watch and stats read it (the numbers move, nothing fails); stats --durable of
# a durable queue (its file's counters, torn_dropped among them).
# Also runs the command's unit tests (cargo test -p shmqueue-cli).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
require_extension
require_commands runuser
suite_start=$(seconds_now)

make_temp_dir temp cli
chmod 755 "$temp"
build_start=$(seconds_now)
if ! (cd "$REPO_ROOT" && cargo build --release -p shmqueue-cli > "$temp/build.out" 2>&1); then
    fail "cargo build --release -p shmqueue-cli" "expected: a build" "came:" "$(tail -20 "$temp/build.out")"
    finish
fi
echo "built the shmqueue command in $(seconds_since "$build_start") s"
# A copy any user can run (the permission check runs it as nobody).
install -m 755 "${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/shmqueue" "$temp/shmqueue"
shmqueue() { "$temp/shmqueue" "$@"; }

unit=$(cd "$REPO_ROOT" && cargo test --release -p shmqueue-cli 2>&1)
unit_result=$(grep -E '^test result:' <<< "$unit" | tail -1)
check "the command's unit tests pass (cargo test -p shmqueue-cli: ${unit_result#test result: })" ok \
    "$(grep -qE '^test result: ok\. [1-9][0-9]* passed; 0 failed' <<< "$unit_result" && echo ok)" \
    "$(grep -m 10 -E 'panicked|FAILED|^error' <<< "$unit")"

run() { # exit status, stdout and stderr of the command, in $status $out $err
    "$temp/shmqueue" "$@" > "$temp/out" 2> "$temp/err"
    status=$?
    out=$(cat "$temp/out")
    err=$(cat "$temp/err")
}

# --- a queue in every state, written by PHP ----------------------------------------------------
q="cli-main-$$"
at_exit "remove_queues '$q'"
php_ext -r '
    $q = new SHMQueue($argv[1], 65536, 300, 1);   // leases of 300 s, one attempt per job
    $q->enQueue([1, 2, 3]);
    $leased = $q->reserve();                     // stays leased: nobody acks it
    $q->enQueue(["to" => "a@b", "n" => 3]);
    $q->release($q->reserve());                  // its only attempt used: a dead letter
    $q->enQueue("line\nbreak");
    $q->enQueue(new DateTime("2024-01-01 00:00:00", new DateTimeZone("UTC")));
    $q->enQueueDelayed(1.5, 300);' "$q"

run list --json
list_entry=$(php -n -r '
    foreach (json_decode($argv[1], true) as $e) if ($e["name"] === $argv[2])
        echo $e["owner"], " ", $e["mode"], " ", $e["stats"]["length"], " ", $e["stats"]["in_flight"], " ", $e["stats"]["dead"];' "$out" "$q")
check "list --json shows the queue: owner, mode, length, in flight, dead" "root 0600 3 1 1" "$list_entry" "stderr: $err"
run list
check "list shows the queue with its depth, in flight, dead, capacity, usage, owner and mode" 1 \
    "$(grep -cE "^$q +3 +1 +1 +64\.0K +[0-9.]+% +root +0600$" <<< "$out")" "list printed:" "$out"

run stats "$q" --json
php_stats=$(php_ext -r 'var_export((new SHMQueue($argv[1]))->stats());' "$q")
same=$(php_ext -r 'var_export(json_decode($argv[2], true) === (new SHMQueue($argv[1]))->stats());' "$q" "$out")
check "stats --json is exactly PHP's SHMQueue::stats() (keys, order, values, types)" true "$same" \
    "shmqueue: $out" "PHP:      $php_stats"
run stats "$q"
check "stats (text) names each counter" "length 3|in_flight 1|dead 1|max_attempts 1|lease 300.0 s" \
    "$(grep -E '^(length|in_flight|dead|max_attempts|lease) ' <<< "$out" | tr -s ' ' | paste -sd'|')" "$out"

run stats "$q" --prometheus
bad_lines=$(php -n -r '
    // Text exposition format: HELP and TYPE once per family, before its samples; sample lines
    // "name{queue=\"...\"} number"; counters end in _total.
    $types = []; $bad = [];
    foreach (explode("\n", rtrim($argv[1], "\n")) as $line) {
        if (preg_match("/^# HELP ([a-z_]+) \\S/", $line, $m)) continue;
        if (preg_match("/^# TYPE ([a-z_]+) (gauge|counter)$/", $line, $m)) {
            if (isset($types[$m[1]])) $bad[] = "second TYPE: $line";
            $types[$m[1]] = $m[2];
            if (($m[2] === "counter") !== str_ends_with($m[1], "_total")) $bad[] = "counter naming: $line";
            continue;
        }
        if (preg_match("/^([a-z_]+)\\{queue=\"[^\"]*\"\\} (-?[0-9.eE+]+)$/", $line, $m) && isset($types[$m[1]])) continue;
        $bad[] = $line;
    }
    echo implode("\n", $bad);' "$out")
check "stats --prometheus is well-formed text exposition format" "" "$bad_lines"
check "stats --prometheus: shmqueue_length{queue=...} is the length, as a gauge" "gauge 3" \
    "$(grep -E '^# TYPE shmqueue_length ' <<< "$out" | cut -d' ' -f4) $(grep -E "^shmqueue_length\{queue=\"$q\"\} " <<< "$out" | cut -d' ' -f2)"
check "stats --prometheus: enqueued is a counter named _total" "counter 5" \
    "$(grep -E '^# TYPE shmqueue_enqueued_total ' <<< "$out" | cut -d' ' -f4) $(grep -E "^shmqueue_enqueued_total\{queue=\"$q\"\} " <<< "$out" | cut -d' ' -f2)"

# --- a durable queue: stats --durable reads the file and its durable counters -------------------
mkdir -p "$temp/durable"
dq="$q-durable" # (a name is one queue: not also the shared-memory one)
php_ext -d "shmqueue.durable_dir=$temp/durable" -r '
    $q = new SHMQueue($argv[1], 65536, durable: true);
    $q->enQueue("kept");' "$dq"
run stats "$dq" --json --durable --durable-dir "$temp/durable"
same=$(php_ext -d "shmqueue.durable_dir=$temp/durable" -r '
    var_export(json_decode($argv[2], true) === (new SHMQueue($argv[1], durable: true))->stats());' "$dq" "$out")
check "stats --json --durable is exactly PHP's stats() of the durable queue (torn_dropped, boots, ...)" true "$same" \
    "shmqueue: $out $err"
run stats "$dq" --durable --durable-dir "$temp/durable"
check "stats --durable (text) names the durable counters" "length 1|sync batch|torn_dropped 0|boots 0" \
    "$(grep -E '^(length|sync|torn_dropped|boots) ' <<< "$out" | tr -s ' ' | paste -sd'|')" "$out $err"
run stats --all --durable
check "stats --all --durable is refused (the durable queues are named)" 1 "$status" "$err"

run peek "$q"
expected_peek="1 leased 1 9 [1, 2, 3]
2 dead 1 17 ['to' => 'a@b', 'n' => 3]
3 ready 0 13 \"line\\nbreak\"
4 ready 0 117 unserialize('O:8:\"DateTime\":3:{s:4:\"date\";s:26:\"2024-01-01 00:00:00.000000\";s:13:\"timezone_type\";i:3;s:8:\"timezone\";s:3:\"UTC\";}')
5 delayed 0 10 1.5"
check "peek shows every message, oldest first, with state, attempts, size and the value as PHP writes it" \
    "$expected_peek" "$(tail -n +2 <<< "$out" | sed -E 's/^ +//; s/ {2,}/ /g')" "stderr: $err"
run peek "$q" 2
check "peek NAME 2 shows two messages" 2 "$(tail -n +2 <<< "$out" | wc -l)"
check "peek takes nothing: PHP's stats are as before" "$php_stats" \
    "$(php_ext -r 'var_export((new SHMQueue($argv[1]))->stats());' "$q")"

run dead "$q"
check "dead shows the dead letter with its attempts" "1 1 17 ['to' => 'a@b', 'n' => 3]" \
    "$(tail -n 1 <<< "$out" | sed -E 's/^ +//; s/ {2,}/ /g')" "$out"
run requeue-dead "$q"
check "requeue-dead says it requeued 1" "0 1" "$status $(grep -c 'requeued 1 dead letter' <<< "$out")" "$out $err"
check "after requeue-dead PHP sees no dead letter and one more ready message" "[] 0 3" \
    "$(php_ext -r '$q = new SHMQueue($argv[1]); $s = $q->stats(); echo json_encode($q->deadLetters()), " ", $s["dead"], " ", $s["ready"];' "$q")"
php_ext -r '$q = new SHMQueue($argv[1]); while ($j = $q->reserve()) $q->release($j);' "$q" # every ready one dies
run purge "$q"
check "purge deletes the dead letters (3) and says so" "0 1" "$status $(grep -c 'purged 3 dead letter' <<< "$out")" "$out $err"
check "after purge PHP counts 3 purged, 0 dead, and the delayed message is still waiting" "3 0 1" \
    "$(php_ext -r '$s = (new SHMQueue($argv[1]))->stats(); echo $s["purged"], " ", $s["dead"], " ", $s["length"];' "$q")"

# --- failures: exit codes and messages -----------------------------------------------------------
missing="cli-missing-$$"
for command in "stats $missing" "peek $missing" "dead $missing" "requeue-dead $missing" "purge $missing" "remove $missing" "watch $missing --count 1"; do
    run $command
    check "$command: exit 2 naming the missing queue" "2 1" "$status $(grep -c "\"$missing\" not found" <<< "$err")" "stderr: $err"
done
check "nothing created a queue by looking for it" "" "$(ls /dev/shm | grep -F "$missing")"

denied="cli-denied-$$"
at_exit "remove_queues '$denied'"
php_ext -d shmqueue.permissions=0600 -r 'new SHMQueue($argv[1], 8192);' "$denied"
out=$(runuser -u nobody -- "$temp/shmqueue" stats "$denied" 2>&1)
status=$?
check "a root-owned 0600 queue read as nobody: exit 3, 'permission denied' with owner and mode" "3 1" \
    "$status $(grep -c "permission denied for queue \"$denied\".*owner root, mode 0600" <<< "$out")" "output: $out"

versioned="cli-version-$$"
at_exit "remove_queues '$versioned'"
php_ext -r 'new SHMQueue($argv[1], 8192);' "$versioned"
php -n -r '$f = fopen($argv[1], "r+b"); fseek($f, 8); fwrite($f, pack("V", 99));' "/dev/shm/shmqueue.$versioned"
expected_version=$(shmqueue --version | sed -E 's/.*segment layout version ([0-9]+).*/\1/')
run stats "$versioned"
check "a queue of layout version 99: exit 4, the message names 99 and version $expected_version" "4 1" \
    "$status $(grep -c "layout version 99, this shmqueue reads version $expected_version" <<< "$err")" "stderr: $err"
run list
check "list shows the queue of another layout version and why it cannot read it" 1 \
    "$(grep -c "^$versioned .*cannot read: .*layout version 99" <<< "$out")" "$out"
run stats --all --prometheus
check "stats --all --prometheus: exit 0, our queue in it, the unreadable one skipped and said on stderr" "0 1 0 1" \
    "$status $(grep -c "^shmqueue_length{queue=\"$q\"} " <<< "$out") $(grep -c "queue=\"$versioned\"" <<< "$out") $(grep -c "skipped: .*\"$versioned\"" <<< "$err")" \
    "stderr: $err"
run remove "$versioned"
check "remove deletes the queue of another layout version" "0 no" \
    "$status $([ -e "/dev/shm/shmqueue.$versioned" ] && echo yes || echo no)" "$out $err"

# A lock word naming a live process that will never unlock (as if it were frozen holding it).
frozen="cli-frozen-$$"
at_exit "remove_queues '$frozen'"
php_ext -r 'new SHMQueue($argv[1], 8192);' "$frozen"
sleep 60 &
holder=$!
at_exit "kill $holder"
# The mutex is at offset 0x40 (docs/format.md); glibc keeps the owner in its lock word and __owner.
php -n -r '$f = fopen($argv[1], "r+b"); foreach ([0x40, 0x48] as $at) { fseek($f, $at); fwrite($f, pack("V", (int) $argv[2])); }' \
    "/dev/shm/shmqueue.$frozen" "$holder"
SHMQUEUE_LOCK_TIMEOUT=0.5 timeout 20 "$temp/shmqueue" stats "$frozen" > "$temp/out" 2> "$temp/err"
status=$?
check "a lock nobody releases: stats gives up (exit 5) and names the holder" "5 1" \
    "$status $(grep -c "\"$frozen\" stayed locked for .* thread $holder (sleep, state S)" "$temp/err")" "stderr: $(cat "$temp/err")"
SHMQUEUE_LOCK_TIMEOUT=0.5 timeout 20 "$temp/shmqueue" list > "$temp/out" 2> "$temp/err"
status=$?
check "list still lists everything, the locked queue with the reason" "0 1 1" \
    "$status $(grep -c "^$frozen .*stayed locked" "$temp/out") $(grep -c "^$q " "$temp/out")" "$(cat "$temp/out" "$temp/err")"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
# The core gives up on a holder that does not exist after a second: wait longer than that.
SHMQUEUE_LOCK_TIMEOUT=5 timeout 20 "$temp/shmqueue" stats "$frozen" > "$temp/out" 2> "$temp/err"
status=$?
check "once the named holder is gone, the queue is reported damaged (exit 4) with how to remove it" "4 1" \
    "$status $(grep -c "\"$frozen\" is damaged: its lock names thread $holder.*shmqueue remove $frozen" "$temp/err")" "$(cat "$temp/err")"

for mistake in "" "frobnicate" "peek" "peek $q many" "stats $q --json --prometheus" "watch $q --interval 0" "stats .hidden"; do
    run $mistake
    check "usage mistake '${mistake:-(no command)}': exit 1 with a message" "1 yes" \
        "$status $([ -n "$err" ] && echo yes)" "stdout: $out" "stderr: $err"
done
run help
check "help lists every command and the exit codes" "9 1" \
    "$(grep -oE '^  (list|stats|peek|dead|requeue-dead|purge|remove|watch|help) ' <<< "$out" | sort -u | wc -l) $(grep -c '^exit codes' <<< "$out")" "$out"

# --- a queue in use: PHP writes and reads while watch and stats look -----------------------------
live="cli-live-$$"
at_exit "remove_queues '$live'"
php_ext -r 'new SHMQueue($argv[1], 1 << 20);' "$live"
php_ext -r '
    $q = new SHMQueue($argv[1]); $n = 0; $until = microtime(true) + 3;
    while (microtime(true) < $until) { if ($q->enQueue(["n" => $n, "pad" => str_repeat("x", 100)])) $n++; usleep(200); }
    echo $n;' "$live" > "$temp/produced" 2> "$temp/producer.err" &
producer=$!
php_ext -r '
    $q = new SHMQueue($argv[1]); $n = 0; $until = microtime(true) + 3.5;
    while (microtime(true) < $until) { $n += count($q->deQueueMany(50, 0.05)); }
    echo $n;' "$live" > "$temp/consumed" 2> "$temp/consumer.err" &
consumer=$!
at_exit "kill $producer $consumer"
sleep 0.3
"$temp/shmqueue" watch "$live" --interval 0.5 --count 5 > "$temp/watch.out" 2> "$temp/watch.err"
watch_status=$?
enqueued_seen=()
for i in 1 2 3; do
    enqueued_seen+=("$("$temp/shmqueue" stats "$live" --json 2> "$temp/stats.err" | php -n -r 'echo json_decode(stream_get_contents(STDIN), true)["enqueued"] ?? "error";')")
    sleep 0.2
done
wait "$producer" "$consumer"
produced=$(cat "$temp/produced")
consumed=$(cat "$temp/consumed")
cat "$temp/watch.out"
echo "producer stored $produced messages, consumer took $consumed; stats --json saw enqueued ${enqueued_seen[*]}"
check "watch on a busy queue: exit 0, 5 lines, nothing on stderr" "0 5 " \
    "$watch_status $(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9] ' "$temp/watch.out") $(cat "$temp/watch.err")"
moving=$(awk '/^[0-9][0-9]:/ && $5 != "-" && $5 + 0 > 0 && $6 + 0 > 0 { n++ } END { print n + 0 }' "$temp/watch.out")
check "watch shows enqueue and dequeue rates above zero on every line after the first" 4 "$moving" "$(cat "$temp/watch.out")"
increasing=$(php -n -r '$v = array_slice($argv, 1); $ok = count($v) === 3; for ($i = 1; $i < 3; $i++) $ok = $ok && is_numeric($v[$i]) && $v[$i] > $v[$i - 1]; var_export($ok);' "${enqueued_seen[@]}")
check "stats --json during the writes: enqueued grows from call to call, no error" "true " \
    "$increasing $(cat "$temp/stats.err")"
final=$("$temp/shmqueue" stats "$live" --json)
check "after the writers stop, the counters add up: enqueued = produced, enqueued = dequeued + length" \
    "$produced $produced" "$(php -n -r '$s = json_decode($argv[1], true); echo $s["enqueued"], " ", $s["dequeued"] + $s["length"];' "$final")" \
    "stats: $final" "PHP stderr: $(cat "$temp/producer.err" "$temp/consumer.err")"

# watch notices that its queue went away, ends with exit 2, and does not bring it back.
"$temp/shmqueue" watch "$live" --interval 0.1 > "$temp/watch2.out" 2> "$temp/watch2.err" &
watcher=$!
at_exit "kill $watcher"
sleep 0.5
run remove "$live"
check "remove deletes a queue and says so" "0 removed queue \"$live\"" "$status $out"
for ((i = 0; i < 50; i++)); do kill -0 "$watcher" 2>/dev/null || break; sleep 0.1; done
wait "$watcher" 2>/dev/null
watch_status=$?
check "watch ends with exit 2 when its queue is removed, and the queue stays removed" "2 1 no" \
    "$watch_status $(grep -c "\"$live\" not found" "$temp/watch2.err") $([ -e "/dev/shm/shmqueue.$live" ] && echo yes || echo no)" \
    "$(cat "$temp/watch2.err")"
"$temp/shmqueue" watch "$q" --interval 0.01 2> "$temp/pipe.err" | head -3 > /dev/null
check "watch into a pipe that closes (| head) ends quietly" "0 " "${PIPESTATUS[0]} $(cat "$temp/pipe.err")"

echo "suite took $(seconds_since "$suite_start") s"
finish
