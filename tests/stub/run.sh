#!/usr/bin/env bash
# The stub SHMQueue.stub.php cannot drift from the extension: Reflection describes both (the stub
# included in a PHP without the extension, the extension's own classes in a PHP with it) and every
# fact is compared both ways. Then the comparison itself is shown to catch drift: copies of the
# stub with one deliberate change each must be rejected, naming that change.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
require_extension
stub=$REPO_ROOT/SHMQueue.stub.php
make_temp_dir work stub
# -n: no php.ini, so an installed shmqueue.ini cannot load the extension behind our back.
describe_stub() { "$PHP_BIN" -n "$here/describe.php" stub "$1"; }
describe_extension() { "$PHP_BIN" -n -d extension="$SHMQUEUE_SO" "$here/describe.php" extension shmqueue; }
compare() { "$PHP_BIN" -n "$here/compare.php" "$@"; }

if out=$("$PHP_BIN" -n -l "$stub" 2>&1); then pass "the stub is valid PHP"; else fail "php -l $stub: expected no syntax errors, got: $out"; fi

if describe_stub "$stub" > "$work/stub.json" 2> "$work/stub.err"; then
    pass "the stub loads in a PHP without the extension ($(grep -c '": ' "$work/stub.json") facts)"
else
    fail "including the stub without the extension failed: $(cat "$work/stub.err")"
fi
if describe_extension > "$work/extension.json" 2> "$work/extension.err"; then
    pass "the extension loads and describes itself ($(grep -c '": ' "$work/extension.json") facts)"
else
    fail "describing the loaded extension ($SHMQUEUE_SO) failed: $(cat "$work/extension.err")"
fi

# One check per class (function, constant) that either side declares.
compare "$work/extension.json" "$work/stub.json" > "$work/compare.out"
status=$?
while IFS= read -r line; do
    case $line in
        "ok "*) pass "stub matches the extension: ${line#ok }" ;;
        "not ok "*) fail "stub and extension differ: ${line#not ok }" ;;
        *) echo "$line" ;;
    esac
done < "$work/compare.out"
if [ "$status" -eq 0 ] && grep -q '^ok SHMQueue$' "$work/compare.out"; then
    pass "comparison found SHMQueue on both sides and no difference"
else
    fail "comparison: expected exit 0 with SHMQueue compared, got exit $status"
fi

# Drift that must be caught: description | sed expression | the fact the report must name.
mutations=(
    "a changed default|s/public function deQueue(float \$timeout = 0.0)/public function deQueue(float \$timeout = 1.0)/|differs: SHMQueue::deQueue() #0 \$timeout default"
    "a method missing|/public function purgeDead(): int {}/d|missing in stub: SHMQueue::purgeDead()"
    "an extra method|s/public function requeueDead(): int {}/&\n    public function browse(int \$max = 10): array {}/|extra in stub: SHMQueue::browse()"
    "final dropped|s/^final class SHMQueueJob/class SHMQueueJob/|differs: SHMQueueJob modifiers"
    "a nullable return made non-null|s/): ?SHMQueueJob {}/): SHMQueueJob {}/|differs: SHMQueue::reserve() return"
    "a renamed parameter|s/?int \$maxAttempts = null/?int \$max_attempts = null/|SHMQueue::__construct() #3 \$maxAttempts"
    "a static method made non-static|s/public static function remove/public function remove/|differs: SHMQueue::remove()"
    "an extra class constant|/^class SHMQueue implements Countable\$/{n;s/^{\$/{\n    public const VERSION = 1;/}|extra in stub: SHMQueue::VERSION"
    "an extra property|s/public \$leaseUntil;/&\n    public \$token;/|extra in stub: SHMQueueJob::\$token"
    "the exception's parent changed|s/class SHMQueueException extends RuntimeException/class SHMQueueException extends LogicException/|differs: SHMQueueException parent"
)
for mutation in "${mutations[@]}"; do
    IFS='|' read -r what expression expected <<< "$mutation"
    sed -e "$expression" "$stub" > "$work/mutated.php"
    if cmp -s "$stub" "$work/mutated.php"; then
        fail "drift '$what': the edit did not apply to the stub (sed '$expression'), so nothing was tested"
        continue
    fi
    if ! describe_stub "$work/mutated.php" > "$work/mutated.json" 2>&1; then
        fail "drift '$what': the changed stub did not load: $(cat "$work/mutated.json")"
        continue
    fi
    report=$(compare "$work/extension.json" "$work/mutated.json")
    status=$?
    if [ "$status" -ne 0 ] && grep -qF -- "$expected" <<< "$report"; then
        pass "drift '$what' is caught ($(grep -m 1 -F -- "$expected" <<< "$report" | sed 's/^ *//'))"
    else
        fail "drift '$what': expected a failing comparison naming '$expected', got exit $status and: $report"
    fi
done

finish
