#!/usr/bin/env bash
# shmqueue export / import: a queue written by PHP with messages in all four states (ready,
# delayed, leased, dead) and awkward values (empty string, 1 MiB, arrays, objects, binary) is
# exported and imported into a new queue: the same values in the same order, attempts kept,
# delays kept (as times), dead letters dead, leased ones ready again; the source left as it was.
# Import appends; a file that is damaged (a flipped byte, truncated, wrong magic) or a queue
# without room for all of it imports nothing, with its exit code.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
require_extension

make_temp_dir temp export
if ! (cd "$REPO_ROOT" && cargo build --release -p shmqueue-cli > "$temp/build.out" 2>&1); then
    fail "cargo build --release -p shmqueue-cli" "$(tail -20 "$temp/build.out")"
    finish
fi
shmqueue_bin="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/shmqueue"

run() { # exit status, stdout and stderr of the command, in $status $out $err
    "$shmqueue_bin" "$@" > "$temp/out" 2> "$temp/err"
    status=$?
    out=$(cat "$temp/out")
    err=$(cat "$temp/err")
}

src="export-src-$$" dst="export-dst-$$" small="export-small-$$" fresh="export-fresh-$$"
at_exit "remove_queues '$src' '$dst' '$small' '$fresh'"

# What a queue holds, one line per message: state, attempts, and a digest of the value.
listing='
    function listing(string $name, bool $durable = false): string {
        $out = "";
        foreach ((new SHMQueue($name, durable: $durable))->peek(1000) as $m) {
            $out .= $m["state"] . " " . $m["attempts"] . " " . md5(serialize($m["value"])) . "\n";
        }
        return $out;
    }'

seeded_at=$(date +%s.%N)
php_ext -r '
    $q = new SHMQueue($argv[1], 4 << 20, 300, 2);    // leases of 300 s, two attempts per job
    $q->enQueue("dies");
    for ($i = 0; $i < 2; $i++) $q->release($q->reserve());   // both attempts used: dead
    $q->enQueue("retried");
    $q->release($q->reserve(), 300);                 // a delayed retry, one attempt used
    $q->enQueue("held");
    $GLOBALS["held"] = $q->reserve();                // leased, never acked
    $q->enQueueDelayed("later", 300);
    $q->enQueueDelayed("soon", 5);
    $q->enQueue("");
    $big = "";
    for ($i = 0; $i < 16384; $i++) $big .= md5((string) $i, true) . md5("x$i", true) . md5("y$i", true) . md5("z$i", true);
    $q->enQueue($big);                               // 1 MiB
    $q->enQueue(["to" => "a@b", "n" => 3, "nested" => [1.5, null, true, [-7 => "x"]]]);
    $q->enQueue(new DateTime("2024-01-01 00:00:00", new DateTimeZone("UTC")));
    $q->enQueue("\0\xff\x01binary\r\n");
    $q->enQueue(PHP_INT_MIN);' "$src"
before=$(php_ext -r "$listing echo listing(\$argv[1]);" "$src")
check "the source holds 11 messages: 1 dead, 3 delayed, 1 leased, 6 ready" \
    "1 3 1 6" "$(awk '{ c[$1]++ } END { print c["dead"]+0, c["delayed"]+0, c["reserved"]+0, c["ready"]+0 }' <<< "$before")" \
    "$before"

run export "$src" "$temp/src.shmqx"
check "export exits 0" 0 "$status" "$err"
check "export says what it wrote" 1 \
    "$(grep -c "exported 11 message(s) of queue \"$src\" (6 ready, 3 delayed, 1 leased, 1 dead)" <<< "$out")" "$out"
check "the file starts with its magic" "SHMQEXP" "$(head -c 7 "$temp/src.shmqx")"
check "the source is left as it was" "$before" "$(php_ext -r "$listing echo listing(\$argv[1]);" "$src")"

run import "$dst" "$temp/src.shmqx"
check "import into a new queue exits 0" 0 "$status" "$err"
check "import says the leased one is ready again" 1 "$(grep -c 'imported 11 message(s).*leased ones are ready again' <<< "$out")" "$out"
expected=$(sed 's/^reserved /ready /' <<< "$before")
check "the new queue holds the same values in the same order, attempts kept, leased ones ready" \
    "$expected" "$(php_ext -r "$listing echo listing(\$argv[1]);" "$dst")"
check "the new queue has the source's settings (capacity, lease, max attempts)" \
    "$(php_ext -r '$s = (new SHMQueue($argv[1]))->stats(); echo $s["capacity"], " ", $s["lease"], " ", $s["max_attempts"];' "$src")" \
    "$(php_ext -r '$s = (new SHMQueue($argv[1]))->stats(); echo $s["capacity"], " ", $s["lease"], " ", $s["max_attempts"];' "$dst")"

# The former lease comes first with its attempt counted. Delays are times: "soon" (5 s after
# seeding) is not there yet, then is; "later" and the delayed retry stay.
taken=$(php_ext -r '
    $q = new SHMQueue($argv[1]);
    $job = $q->reserve();
    echo $job->value, " ", $job->attempts, "\n";
    $q->ack($job);
    $n = 0;
    while (($job = $q->reserve()) !== null) { $q->ack($job); $n++; }
    echo $n, "\n";' "$dst")
check "the formerly leased job is delivered first with its second attempt; 6 more are ready now" \
    "held 2
6" "$taken"
sleep "$(awk -v start="$seeded_at" -v now="$(date +%s.%N)" 'BEGIN { left = start + 5.3 - now; print (left > 0 ? left : 0) }')"
taken=$(php_ext -r '
    $q = new SHMQueue($argv[1]);
    $job = $q->reserve();
    echo $job === null ? "none" : $job->value, " ", $q->reserve() === null ? "then none" : "then more", "\n";
    $s = $q->stats(); echo $s["delayed"], " ", $s["dead"], "\n";' "$dst")
check "the 5 s delay ran out at the time it was set for; the 300 s ones are still delayed, the dead letter dead" \
    "soon then none
2 1" "$taken"

# Import appends, after what is there.
remove_queues "$dst"
run import "$dst" "$temp/src.shmqx"
run import "$dst" - < "$temp/src.shmqx"
check "a second import (from stdin) appends the same messages after the first" \
    "$expected
$expected" "$(php_ext -r "$listing echo listing(\$argv[1]);" "$dst")" "$err"

# Export to a pipe.
"$shmqueue_bin" export "$src" 2> "$temp/err" | cat > "$temp/piped.shmqx"
check "export to a pipe writes the whole file (as many bytes), its summary on stderr" \
    "$(wc -c < "$temp/src.shmqx") 1" "$(wc -c < "$temp/piped.shmqx") $(grep -c 'to stdout' "$temp/err")"

# --- damaged files: refused whole, nothing imported -------------------------------------------
size=$(wc -c < "$temp/src.shmqx")
cp "$temp/src.shmqx" "$temp/flipped.shmqx"
printf '\x5a' | dd of="$temp/flipped.shmqx" bs=1 seek=$((size / 2)) conv=notrunc status=none
head -c $((size - 10)) "$temp/src.shmqx" > "$temp/truncated.shmqx"
{ printf 'X'; tail -c +2 "$temp/src.shmqx"; } > "$temp/magic.shmqx"
head -c 0 "$temp/src.shmqx" > "$temp/empty.shmqx"
php_ext -r '$q = new SHMQueue($argv[1], 65536); $q->enQueue("kept");' "$small"
for damage in flipped:checksum truncated:truncated magic:magic empty:magic; do
    file=${damage%%:*} why=${damage#*:}
    run import "$fresh" "$temp/$file.shmqx"
    check "a $file file is refused with exit code 4, saying why and that nothing was imported" \
        "4 1" "$status $(grep -c "cannot import .*$why.*nothing imported" <<< "$err")" "$err"
    run stats "$fresh"
    check "... and no queue was created for it" 2 "$status" "$err"
    run import "$small" "$temp/$file.shmqx"
    check "... nor anything added to an existing queue" "4 1" \
        "$status $(php_ext -r 'echo count((new SHMQueue($argv[1]))->peek(100));' "$small")"
done

# --- no room ---------------------------------------------------------------------------------
run import "$small" "$temp/src.shmqx"
check "a message larger than the target queue can ever hold: refused, nothing imported" \
    "5 1 1" "$status $(grep -c 'nothing imported' <<< "$err") $(php_ext -r 'echo count((new SHMQueue($argv[1]))->peek(100));' "$small")" "$err"
php_ext -r '$q = new SHMQueue($argv[1], 1 << 20); for ($i = 0; $i < 70; $i++) $q->enQueue(str_repeat("m", 1000));' "$fresh"
run export "$fresh" "$temp/many.shmqx"
remove_queues "$fresh"
run import "$small" "$temp/many.shmqx"
check "70 KB into a 64 KiB queue already holding a message: no room, exit 6, nothing imported" \
    "6 1 1" "$status $(grep -c 'no room for all 70 message(s).*nothing imported' <<< "$err") $(php_ext -r 'echo count((new SHMQueue($argv[1]))->peek(100));' "$small")" "$err"
run import "$fresh" "$temp/many.shmqx" --capacity 16384
check "into a new queue made too small with --capacity: exit 6, and the queue is not left behind" \
    "6 2" "$status $("$shmqueue_bin" stats "$fresh" > /dev/null 2>&1; echo $?)" "$err"
run import "$fresh" "$temp/many.shmqx" --capacity 131072 --max-attempts 9
check "with room (--capacity 131072, --max-attempts 9) all 70 are imported with those settings" \
    "0 70 131072 9" "$status $(php_ext -r '$s = (new SHMQueue($argv[1]))->stats(); echo $s["length"], " ", $s["capacity"], " ", $s["max_attempts"];' "$fresh")" "$err"

# --- durable queues (--durable --durable-dir DIR) -----------------------------------------------
durable_dir="$temp/durable"
mkdir -p "$durable_dir"
dsrc="export-dsrc-$$" ddst="export-ddst-$$" dshm="export-dshm-$$"
at_exit "remove_queues '$dshm'"
durable_php=(-d "shmqueue.durable_dir=$durable_dir" -d shmqueue.sync=always)
php_ext "${durable_php[@]}" -r '
    $q = new SHMQueue($argv[1], 65536, 300, 1, durable: true);
    $q->enQueue("dies");
    $q->release($q->reserve());                      // its only attempt used: dead
    $q->enQueue("held");
    $q->reserve();                                   // leased
    $q->enQueueDelayed(["later" => true], 300);
    $q->enQueue("\0\xff");
    $q->enQueue("");' "$dsrc"
durable_before=$(php_ext "${durable_php[@]}" -r "$listing echo listing(\$argv[1], true);" "$dsrc")
run export "$dsrc" "$temp/durable.shmqx" --durable --durable-dir "$durable_dir"
check "export --durable reads the durable queue: 5 messages, every state" "0 1" \
    "$status $(grep -c 'exported 5 message(s).*(2 ready, 1 delayed, 1 leased, 1 dead)' <<< "$out")" "$out" "$err"
run import "$ddst" "$temp/durable.shmqx" --durable --durable-dir "$durable_dir"
check "import --durable creates a durable queue with the same messages, the lease ready again" \
    "0 $(sed 's/^reserved /ready /' <<< "$durable_before")" \
    "$status $(php_ext "${durable_php[@]}" -r "$listing echo listing(\$argv[1], true);" "$ddst")" "$err"
check "... in DIR/NAME.shmq, with the exported sync policy" "yes always" \
    "$([ -f "$durable_dir/$ddst.shmq" ] && echo yes) $(php_ext "${durable_php[@]}" -d shmqueue.sync=off -r '$s = (new SHMQueue($argv[1], durable: true))->stats(); echo $s["sync"] ?? "none";' "$ddst")"
run import "$dshm" "$temp/durable.shmqx"
check "the durable queue's export imports into shared memory too" \
    "0 $(sed 's/^reserved /ready /' <<< "$durable_before")" \
    "$status $(php_ext -r "$listing echo listing(\$argv[1]);" "$dshm")" "$err"
run export "$dsrc" "$temp/none.shmqx" --durable-dir "$durable_dir"
check "--durable-dir without --durable is a usage error" 1 "$status" "$err"

finish
