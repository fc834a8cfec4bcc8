#!/usr/bin/env bash
# Drop-in compatibility: runs scenario.php (the original's documented usage on a value of every
# kind) once with the original userland SHMQueue (original_shmqueue.php, beside this script) and
# once with the extension, in separate processes, and compares the transcripts line by line; the
# stored transcript expected.txt must be the original's. SHMQUEUE_ORIGINAL=<path> uses another
# copy of the original; SHMQUEUE_ORIGINAL=none compares with expected.txt alone (3 checks fewer,
# said in a line of the output).
#   bash tests/compat/run.sh                 # the suite
#   bash tests/compat/run.sh --update-golden # rewrites expected.txt from the original
# Needs: php8.2-cli (shmop, sysvsem for the original side), ipcs and ipcrm (util-linux).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"

golden="$here/expected.txt"
php_original=("$PHP_BIN" -n -d extension=shmop -d extension=sysvsem)

original=${SHMQUEUE_ORIGINAL:-$here/original_shmqueue.php}
[ "$original" = none ] && original=""

# Runs the original class in a scratch dir (it keeps ./shmq.ptr there and keys its IPC objects on
# ftok(__FILE__) of its own copy). Writes the transcript to $1; cleans up its segment and semaphore.
run_original() { # transcript_file
    local work key
    make_temp_dir work compat-original || return 1
    cp "$original" "$work/original_shmqueue.php"
    key=$("${php_original[@]}" -r 'printf("0x%08x", ftok($argv[1], "t"));' "$work/original_shmqueue.php")
    at_exit "ipcrm -M $key; ipcrm -S $key"
    local taken
    taken=$(ipcs -m -s | grep -i "^$key ")   # grep reads it all: no early exit under pipefail
    if [ -n "$taken" ]; then
        fail "original: IPC key $key is free" "expected: no segment or semaphore with key $key" "came:     $taken"
        return 1
    fi
    (cd "$work" && "${php_original[@]}" "$here/scenario.php" original "$work/original_shmqueue.php") > "$1" 2> "$work/stderr"
    local status=$?
    check "original: scenario ran to the end (exit status)" 0 "$status"
    [ -s "$work/stderr" ] && sed 's/^/       stderr: /' "$work/stderr"
    ipcrm -M "$key" 2>/dev/null; ipcrm -S "$key" 2>/dev/null
    rm -f "$work/shmq.ptr"
    check "original: shm segment, semaphore and shmq.ptr removed" "" \
        "$(ipcs -m -s | grep -i "^$key "; ls "$work/shmq.ptr" 2>/dev/null)"
    return "$status"
}

run_extension() { # transcript_file
    local work status
    make_temp_dir work compat-extension || return 1
    at_exit "remove_queues default"
    (cd "$work" && php_ext "$here/scenario.php" extension) > "$1" 2> "$work/stderr"
    status=$?
    check "extension: scenario ran to the end (exit status)" 0 "$status"
    [ -s "$work/stderr" ] && sed 's/^/       stderr: /' "$work/stderr"
    remove_queues default
    check "extension: queue 'default' removed afterwards" "absent" \
        "$([ -e /dev/shm/shmqueue.default ] && echo "present" || echo "absent")"
}

compare_transcripts() { # reference_file reference_name extension_file
    local expected came n=0 total
    total=$(wc -l < "$1")
    check "extension transcript has as many lines as the $2 ($total)" "$total" "$(wc -l < "$3")"
    while IFS= read -r expected; do
        n=$((n + 1))
        came=$(sed -n "${n}p" "$3")
        check "line $n (${expected%%:*}) same as the $2" "$expected" "$came"
    done < "$1"
}

if [ "${1:-}" == "--update-golden" ]; then
    [ -r "$original" ] || { echo "no original class to run (SHMQUEUE_ORIGINAL=${SHMQUEUE_ORIGINAL:-})"; exit 1; }
    make_temp_dir temp compat-golden
    run_original "$temp/original.txt" && cp "$temp/original.txt" "$golden" && echo "wrote $golden"
    finish
fi

require_extension
require_commands ipcs ipcrm
started=$(seconds_now)
make_temp_dir temp compat

# The scenario is the documented usage, so it uses the queue "default": another user of it would
# break the transcript, and removing it would destroy their messages.
if [ -e /dev/shm/shmqueue.default ]; then
    fail "queue 'default' is free before the run" "expected: no /dev/shm/shmqueue.default" \
        "came:     it exists (in use? if stale: php -d extension=$SHMQUEUE_SO -r 'SHMQueue::remove(\"default\");')"
    finish
fi

if [ -n "$original" ]; then
    echo "original: $original"
    [ -r "$original" ] || { fail "the original class is readable" "expected: a readable $original" "came:     no such file"; finish; }
    run_original "$temp/original.txt"
    reference="$temp/original.txt"
    reference_name="original"
    if cmp -s "$temp/original.txt" "$golden"; then
        pass "stored transcript expected.txt is the original's"
    else
        fail "stored transcript expected.txt is the original's (scenario changed? run.sh --update-golden)" \
            "$(diff "$golden" "$temp/original.txt" 2>&1 | sed -n 1,20p)"
    fi
else
    echo "NOTE: 3 checks NOT RUN (SHMQUEUE_ORIGINAL=none): the original's scenario, its cleanup, and"
    echo "      expected.txt being the original's transcript; comparing with the stored $golden alone"
    reference="$golden"
    reference_name="stored transcript"
fi

run_extension "$temp/extension.txt"
compare_transcripts "$reference" "$reference_name" "$temp/extension.txt"
echo "figures: $(wc -l < "$reference") transcript lines, $(diff "$reference" "$temp/extension.txt" | grep -c '^>') differing, $(seconds_since "$started") s"
finish
