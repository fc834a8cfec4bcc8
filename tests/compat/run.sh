#!/usr/bin/env bash
# Drop-in compatibility: runs scenario.php (the original's documented usage on a value of every
# kind) once with the original userland SHMQueue and once with the extension, in separate
# processes, and compares the transcripts line by line. Without the original (no shared/ beside
# the clone) the extension is compared with the stored transcript expected.txt instead.
#   bash tests/compat/run.sh                 # the suite
#   bash tests/compat/run.sh --update-golden # rewrites expected.txt from the original
# Needs: php8.2-cli (shmop, sysvsem for the original side).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"

golden="$here/expected.txt"
php_original=("$PHP_BIN" -n -d extension=shmop -d extension=sysvsem)

find_original() { # prints the path of original_shmqueue.php, or nothing (SHMQUEUE_ORIGINAL=none: pretend absent)
    local top candidate
    [ -n "${SHMQUEUE_ORIGINAL:-}" ] && { [ "$SHMQUEUE_ORIGINAL" != none ] && echo "$SHMQUEUE_ORIGINAL"; return; }
    top=$(git -C "$REPO_ROOT" rev-parse --show-toplevel 2>/dev/null || echo "$REPO_ROOT")
    for candidate in "$top/../shared" /work/shared; do
        [ -r "$candidate/reference/original_shmqueue.php" ] && { echo "$candidate/reference/original_shmqueue.php"; return; }
    done
}

# Runs the original class in a scratch dir (it keeps ./shmq.ptr there and keys its IPC objects on
# ftok(__FILE__) of its own copy). Writes the transcript to $1; cleans up its segment and semaphore.
run_original() { # transcript_file
    local work key
    make_temp_dir work compat-original || return 1
    cp "$original" "$work/original_shmqueue.php"
    key=$("${php_original[@]}" -r 'printf("0x%08x", ftok($argv[1], "t"));' "$work/original_shmqueue.php")
    at_exit "ipcrm -M $key; ipcrm -S $key"
    if ipcs -m -s | grep -qi "^$key "; then
        fail "original: IPC key $key is free" "expected: no segment or semaphore with key $key" "came:     $(ipcs -m -s | grep -i "^$key ")"
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
    at_exit "remove_queue default"
    (cd "$work" && php_ext "$here/scenario.php" extension) > "$1" 2> "$work/stderr"
    status=$?
    check "extension: scenario ran to the end (exit status)" 0 "$status"
    [ -s "$work/stderr" ] && sed 's/^/       stderr: /' "$work/stderr"
    remove_queue default
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

original=$(find_original)
if [ "${1:-}" == "--update-golden" ]; then
    [ -n "$original" ] || { echo "no original_shmqueue.php found beside the clone"; exit 1; }
    make_temp_dir temp compat-golden
    run_original "$temp/original.txt" && cp "$temp/original.txt" "$golden" && echo "wrote $golden"
    finish
fi

require_extension
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
    run_original "$temp/original.txt"
    reference="$temp/original.txt"
    reference_name="original"
    if cmp -s "$temp/original.txt" "$golden"; then
        pass "stored transcript expected.txt is the original's"
    else
        fail "stored transcript expected.txt is the original's (scenario changed? run.sh --update-golden)" \
            "$(diff "$golden" "$temp/original.txt" 2>&1 | head -20)"
    fi
else
    echo "original: not found beside the clone: comparing with the stored transcript $golden"
    reference="$golden"
    reference_name="stored transcript"
fi

run_extension "$temp/extension.txt"
compare_transcripts "$reference" "$reference_name" "$temp/extension.txt"
echo "figures: $(wc -l < "$reference") transcript lines, $(diff "$reference" "$temp/extension.txt" | grep -c '^>') differing, $(seconds_since "$started") s"
finish
