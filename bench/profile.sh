#!/usr/bin/env bash
# Where the time goes in the extension's hot paths (not part of the tests):
#   bash bench/profile.sh            (about a minute)
# For the task array payload, in batches of 50 enqueues then 50 dequeues:
#   kept   - one SHMQueue object for the run;
#   per-op - the documented pattern: new SHMQueue(), one operation, unset;
#   floor  - serialize() into an SplQueue and unserialize() out, for comparison.
# 1. callgrind (instructions, user space only): inclusive and self cost of the top functions,
#    as a share of the script's execution (PHP start-up excluded), and instructions per op.
# 2. perf (sampled CPU time, kernel included), when perf can record here: self and inclusive.
# Environment: SHMQUEUE_SO, PHP_BIN, PROFILE_BATCHES (callgrind, default 400 = 40,000 ops),
# PROFILE_PAYLOAD (short|task|1k|64k, default task), PROFILE_MODES (default "kept per-op floor").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
php="${PHP_BIN:-php}"
so="${SHMQUEUE_SO:-$root/target/release/libshmqueue.so}"
batches="${PROFILE_BATCHES:-400}"
payload="${PROFILE_PAYLOAD:-task}"
modes="${PROFILE_MODES:-kept per-op floor}"
out="$(mktemp -d)"
queue="bench_$$_profile"
trap '"$php" -n -d "extension=$so" -r "SHMQueue::remove(\$argv[1]);" "$queue"; rm -rf "$out"' EXIT

command -v valgrind >/dev/null || { echo "bench/profile.sh needs valgrind: bash scripts/deps.sh installs it" >&2; exit 1; }
# -n: no php.ini or conf.d (an installed shmqueue enabled there would clash with -d extension=).
run_php=("$php" -n -d "extension=$so" "$here/profile_loop.php")
ls -l --time-style=+%Y-%m-%dT%H:%M:%S "$so" | awk '{print "profiling " $7 " built " $6}'

# Shortens Rust paths and drops the ext-php-rs / std wrapper frames that every call goes through.
tidy() {
    sed -E 's#/root/\.cargo/registry/src/[^/]+/##g; s#/rustc/[0-9a-f]+/##g; s#'"$root"'/##g; s# \[[^]]*\]$##' |
        grep -vE 'catch_unwind|call_once|AssertUnwindSafe|try_catch::(do_try_catch|run_handler|try_catch)|0xffffffffffffffff|libc_start|below main|_start$|\?\?\?:0x' |
        cut -c1-170
}

for mode in $modes; do
    valgrind --tool=callgrind --toggle-collect=execute_ex --callgrind-out-file="$out/cg.$mode" \
        "${run_php[@]}" "$mode" "$batches" "$payload" 2>"$out/cg.$mode.log" ||
        { cat "$out/cg.$mode.log"; exit 1; }
    total="$(callgrind_annotate "$out/cg.$mode" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')"
    echo
    echo "=== callgrind, $mode, $payload: $((total / (batches * 100))) instructions per operation (the loop included)"
    echo "--- inclusive (share of the script's execution)"
    callgrind_annotate --inclusive=yes "$out/cg.$mode" 2>/dev/null | sed -n '/file:function/,$p' | sed 1,2d | tidy | sed -n 1,32p
    echo "--- self"
    callgrind_annotate "$out/cg.$mode" 2>/dev/null | sed -n '/file:function/,$p' | sed 1,2d | tidy | sed -n 1,20p
done

if perf record -q -o "$out/probe" true 2>/dev/null; then
    for mode in $modes; do
        "${run_php[@]}" warm 0 "$payload" "$queue"
        perf record -q -F 4000 --call-graph dwarf,8192 -o "$out/perf.$mode" \
            "${run_php[@]}" "$mode" $((batches * 50)) "$payload" "$queue" 2>/dev/null
        echo
        echo "=== perf, $mode, $payload ($((batches * 50 * 100)) operations; the ring was filled and drained once before)"
        echo "--- self"
        perf report -i "$out/perf.$mode" --no-children --sort dso,symbol --stdio --no-call-graph 2>/dev/null |
            grep -vE '^#|^$' | tidy | sed -n 1,25p
        echo "--- inclusive"
        perf report -i "$out/perf.$mode" --children --sort symbol --stdio --no-call-graph 2>/dev/null |
            grep -vE '^#|^$' | tidy | grep -v '(inlined)' | sed -n 1,30p
    done
else
    echo "perf cannot record here (perf_event_paranoid, or no perf): callgrind only"
fi
