#!/usr/bin/env bash
# `shmqueue serve` in a real browser (Debian's headless Chromium, driven by playwright-core):
# the page lists the queues a PHP producer made, its rates and chart move while the producer
# runs, messages and dead letters show readable previews, in-flight jobs their lease end (overdue
# ones marked), requeue is refused without the token (and with a wrong one) and works with it,
# pause stops a running PHP worker and resume lets it
# go on. Also the API and /metrics without a browser: an unknown queue, a bad name, a queue
# removed while shown give a message, never a crash of the server; a request naming another
# site's host (DNS rebinding) is refused. Screenshots are kept in
# $SHMQUEUE_SCREENSHOTS when set (the README's picture comes from there).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
require_extension
make_temp_dir temp dashboard
shots=${SHMQUEUE_SCREENSHOTS:-$temp}
prefix="dash$$"
playwright=${PLAYWRIGHT_CORE:-/var/cache/shmqueue/node/node_modules/playwright-core}
if [ ! -d "$playwright" ] || [ ! -x /usr/bin/chromium ]; then
    fail "chromium and playwright-core are installed" "expected: /usr/bin/chromium and $playwright" \
        "came:     missing (bash scripts/deps.sh installs both)"
    finish
fi
if ! (cd "$REPO_ROOT" && cargo build --release -p shmqueue-cli > "$temp/build.out" 2>&1); then
    fail "cargo build --release -p shmqueue-cli" "came: $(tail -20 "$temp/build.out")"
    finish
fi
at_exit "php_ext -r 'foreach (glob(\"/dev/shm/shmqueue.$prefix-*\") ?: [] as \$s) SHMQueue::remove(substr(basename(\$s), 9));'"

# Queues: mail (a producer keeps writing), dead (three dead letters), work (a worker drains it).
php_ext -r '
    $p = $argv[1];
    $dead = new SHMQueue("$p-dead", 1 << 16, 0.05, 1);
    foreach (["a", "b", "c"] as $v) { $dead->enQueue(["letter" => $v]); }
    for ($i = 0; $i < 3; $i++) { $dead->reserve(); }
    usleep(100000);
    $dead->reserve();
    new SHMQueue("$p-mail", 1 << 20);
    new SHMQueue("$p-work", 1 << 20);' "$prefix"
php_bg() { "$PHP_BIN" -n -d extension="$SHMQUEUE_SO" "$@" & } # $! is PHP itself, not a subshell
php_bg -r '$q = new SHMQueue($argv[1]); for ($i = 0; ; $i++) { $q->enQueue(["to" => "user$i@example.org", "n" => $i]); usleep(5000); }' "$prefix-mail"
producer=$!
at_exit "kill $producer"
# The work queue: fed steadily, drained by a worker that blocks on deQueue.
php_bg -r '$q = new SHMQueue($argv[1]); for ($i = 0; ; $i++) { $q->enQueue($i); usleep(4000); }' "$prefix-work"
feeder=$!
at_exit "kill $feeder"
php_bg -r '$q = new SHMQueue($argv[1]); while (true) { $q->deQueue(1.0); }' "$prefix-work"
worker=$!
at_exit "kill $worker"

port=$((20000 + $$ % 20000))
"${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/shmqueue" serve --listen "127.0.0.1:$port" \
    --token-file "$temp/token" --host dash.example > "$temp/serve.out" 2>&1 &
server=$!
at_exit "kill $server"
http() { php -n -r '
    $context = stream_context_create(["http" => ["method" => $argv[2], "ignore_errors" => true,
        "header" => $argv[3] ?? ""]]);
    $body = @file_get_contents($argv[1], false, $context);
    echo explode(" ", $http_response_header[0] ?? "none 000")[1], " ", $body;' "$@"; }
wait_until 10 http "http://127.0.0.1:$port/api/queues" GET >/dev/null
check "the server answers and prints where its token is" "token: in $temp/token" "$(sed -n 2p "$temp/serve.out")"
token=$(cat "$temp/token")

base="http://127.0.0.1:$port"
reply=$(http "$base/api/queue/$prefix-nope" GET)
check "an unknown queue is a 404 with a message" "404" "${reply%% *}" "$reply"
reply=$(http "$base/api/queue/..secret" GET)
check "a bad queue name is a 400 with a message" "400" "${reply%% *}" "$reply"
reply=$(http "$base/api/queue/$prefix-dead/purge-dead" POST)
check "an action without the token is refused (403)" "403" "${reply%% *}" "$reply"
reply=$(http "$base/api/queue/$prefix-dead/purge-dead" POST "X-Shmqueue-Token: $token
Origin: http://evil.example")
check "an action from another origin is refused even with the token (CSRF)" "403" "${reply%% *}" "$reply"
reply=$(http "$base/api/queues" GET "Host: rebound.example:$port")
check "a read for another site's name is refused (DNS rebinding)" "421" "${reply%% *}" "$reply"
reply=$(http "$base/api/queues" GET "Host: dash.example:$port")
check "a read for the name given with --host is answered" "200" "${reply%% *}" "${reply:0:200}"
metrics=$(http "$base/metrics" GET)
expect "/metrics has the queues in Prometheus text" "$(grep -c "shmqueue_length{queue=\"$prefix-mail\"}" <<<"$metrics")" -eq 1
php_ext -r '$q = new SHMQueue($argv[1]); $q->enQueue("slow job"); $q->reserve(0, 0.2); $q->enQueue("held job"); $q->reserve(0, 600);' "$prefix-leases"
sleep 0.5
reply=$(http "$base/api/queue/$prefix-leases" GET)
check "in-flight jobs show their lease end, the one whose lease ran out as overdue" "1 1" \
    "$(grep -o '"overdue":true' <<<"$reply" | wc -l) $(grep -o '"overdue":false,' <<<"$reply" | wc -l)" "$reply"
php_ext -r 'new SHMQueue($argv[1]); SHMQueue::remove($argv[1]);' "$prefix-gone"
reply=$(http "$base/api/queue/$prefix-gone" GET)
check "a queue removed while shown is a 404 with a message" "404" "${reply%% *}" "$reply"

PLAYWRIGHT_CORE="$playwright" node "$here/drive.js" "$base/" "$token" "$prefix" "$shots" \
    > "$temp/drive.out" 2>&1
cat "$temp/drive.out"
passed=$(grep -c '^ok - ' "$temp/drive.out")
failed=$(grep -c '^FAIL - ' "$temp/drive.out")
checks_passed=$((checks_passed + passed))
checks_failed=$((checks_failed + failed))
[ $((passed + failed)) -gt 0 ] || fail "the browser driver printed checks" "came: see above"
kill -0 "$server" 2>/dev/null && pass "the server is still running after all of it" || fail "the server is still running after all of it"
finish
