#!/usr/bin/env bash
# The mail demo (examples/mail): a php-fpm pool takes N signups (default 200) at once and queues
# a welcome mail for each; two workers send them through a mailer that fails 30% of the time,
# so some mails are retried and a few land in the dead letters (3 attempts each). Prints
# progress, stops the workers with SIGTERM, reports, and shows one mail. Needs root.
#   SHMQUEUE_DEMO_N=200       number of signups
#   SHMQUEUE_SO=path          use this build of the extension, loaded with -d (by default the
#                             demo builds, installs and enables it: scripts/install.sh)
#   SHMQUEUE_DEMO_DIR=dir     work in dir and keep it (outbox/, logs, registrations.txt,
#                             dead-letters.txt, report.txt) instead of a temporary one
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${SHMQUEUE_DEMO_N:-200}
[ "$(id -u)" -eq 0 ] || { echo "run the demo as root: php-fpm and the workers switch to www-data" >&2; exit 1; }

export PHP_BIN=${PHP_BIN:-php}
if [ -z "${SHMQUEUE_SO:-}" ]; then
    bash "$root/scripts/deps.sh"
    echo "building, installing and enabling the extension (scripts/install.sh)..."
    install_log=$(mktemp)
    bash "$root/scripts/install.sh" > "$install_log" 2>&1 || { cat "$install_log"; exit 1; }
    rm -f "$install_log"
    # Captured, not piped into grep -q: grep leaving at the first match makes PHP's write fail
    # (EPIPE), and under pipefail that failed the check at random.
    modules=$("$PHP_BIN" -m)
    grep -qx shmqueue <<< "$modules" || { echo "shmqueue is installed but PHP does not load it" >&2; exit 1; }
    echo "php -m lists shmqueue: the demo runs without -d extension="
fi
ext=()
[ -n "${SHMQUEUE_SO:-}" ] && ext=(-n -d "extension=$SHMQUEUE_SO")  # -n: as the pool loads it

work=${SHMQUEUE_DEMO_DIR:-$(mktemp -d /tmp/shmqueue-demo.XXXXXX)}
mkdir -p "$work"
queue=mail-demo-$$
workers=()
source "$root/examples/mail/fpm-pool.sh"

cleanup() {
    set +e
    for pid in "${workers[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    [ -n "${registering:-}" ] && kill "$registering" 2>/dev/null
    mail_pool_stop
    "$PHP_BIN" "${ext[@]}" -r 'SHMQueue::remove($argv[1]);' "$queue" 2>/dev/null
    [ -n "${SHMQUEUE_DEMO_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

mail_pool_start "$work" "${SHMQUEUE_SO:-}" "$queue"
# Created by the web server's user, so that the pool and the workers can open it: 4 MiB,
# 10 s leases, 3 attempts per mail.
mail_php -r 'new SHMQueue($argv[1], 4 << 20, 10.0, 3);' "$queue"
status() { mail_php "$MAIL_APP/status.php" --queue "$queue" "$@"; } # as the queue's user
mkdir -p "$work/outbox"
chown "$MAIL_WEB_USER" "$work/outbox"
: > "$work/registrations.txt"

echo "== $n signups through php-fpm; 2 workers sending with a mailer that fails 30% of the time"
for i in 1 2; do
    start_worker "$work/worker-$i.log" --queue "$queue" --outbox "$work/outbox" --mailer flaky \
        --fail-rate 0.3 --seed "$i"
    workers+=("$WORKER_PID")
done
start=$(date +%s%N)
register_many "$n" user "$work/registrations.txt" &
registering=$!

elapsed() { echo "$(( ($(date +%s%N) - start) / 1000000 ))"; }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
while true; do
    registered=$(wc -l < "$work/registrations.txt")
    read -r ready delayed in_flight dead retries < <(status --stat={ready,delayed,in_flight,dead,retries})
    sent=$(find "$work/outbox" -name '*.eml' | wc -l)
    printf '[%5ss] signups %3d/%d | queue: %3d waiting, %2d backing off, %d being sent' \
        "$(seconds "$(elapsed)")" "$registered" "$n" "$ready" "$delayed" "$in_flight"
    printf ' | sent %3d, failed sends %3d, dead %d\n' "$sent" "$retries" "$dead"
    registering_done=$(kill -0 "$registering" 2>/dev/null && echo no || echo yes)
    [ "$registering_done $ready $delayed $in_flight" = "yes 0 0 0" ] && break
    if [ "$(elapsed)" -gt 45000 ]; then
        echo "the queue did not drain within 45 s" >&2
        exit 1
    fi
    sleep 0.5
done
wait "$registering"
registering=
elapsed_ms=$(elapsed)

# The workers are now blocked in reserve(): SIGTERM must end them at once.
stop_workers "${workers[@]}"
workers=()

status --dead-letters > "$work/dead-letters.txt"
read -r dead stats_retries < <(status --stat dead --stat retries)
accepted=$(awk '$2 == 202' "$work/registrations.txt" | wc -l)
sent=$(find "$work/outbox" -name '*.eml' | wc -l)
# Each worker's last line: "... stopped (SIGTERM): 97 sent, 41 retried, 3 dead-lettered, 0 leases lost".
retried=$(awk '/stopped \(/ { for (i = 2; i <= NF; i++) if ($i ~ /^retried/) s += $(i - 1) } END { print s + 0 }' \
    "$work"/worker-*.log)
some_dead=$(awk 'NR <= 3 { printf "%s %s", (NR == 1 ? ":" : ","), $1 } END { if (NR > 3) printf ", ..." }' \
    "$work/dead-letters.txt")
cat > "$work/report.txt" <<REPORT
signups=$n
accepted=$accepted
sent=$sent
retried=$retried
dead=$dead
stats_retries=$stats_retries
elapsed_ms=$elapsed_ms
stop_ms=$STOP_MS
exit_codes=${STOP_CODES[*]}
REPORT

echo
echo "== report"
printf '%-17s %s\n' \
    "signups:" "$n ($accepted queued with 202 Accepted, $((n - accepted)) refused)" \
    "sent:" "$sent mails (.eml files in the outbox)" \
    "retries:" "$retried failed sends tried again after a backoff" \
    "dead letters:" "$dead mails that failed all 3 attempts$some_dead" \
    "elapsed:" "$(seconds "$elapsed_ms") s" \
    "workers stopped:" "$STOP_MS ms after SIGTERM, exit status ${STOP_CODES[*]}"
echo
echo "== from the workers' logs"
awk '/retry in/ && retries++ < 2; /to the dead letters/ && dead++ < 1; /stopped \(/ { print }' \
    "$work"/worker-*.log | sed 's/^/  /'
mail=$(find "$work/outbox" -name '*.eml' -print -quit)
if [ -n "$mail" ]; then
    echo
    echo "== one of the mails: $mail"
    tr -d '\r' < "$mail"
fi
