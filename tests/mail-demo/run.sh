#!/usr/bin/env bash
# The mail example (examples/mail) end to end, as root, with php-fpm and workers as www-data:
#   1. the demo (scripts/demo.sh): every signup that got 202 ends up as exactly one mail or as
#      one dead letter (none lost, none sent twice: no worker dies here), retries happen, the
#      workers exit 0 at once on SIGTERM while blocked in reserve();
#   2. a worker SIGKILLed while it holds a job (stuck on an SMTP server that never answers):
#      the job is delivered again once its lease runs out, and sent exactly once;
#   3. SmtpMailer delivering to a real SMTP server (examples/mail/smtp-sink.php), dot-stuffing
#      and a non-ASCII name included; register.php answers 422 to a bad form and 503 when the
#      queue is full.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"   # sets REPO_ROOT, SHMQUEUE_SO, PHP_BIN
root=$REPO_ROOT
source "$root/examples/mail/fpm-pool.sh"
require_extension
require_root "php-fpm and the workers run as $MAIL_WEB_USER"
require_commands cgi-fcgi "$FPM_BIN" setpriv
make_temp_dir work mail-demo
chmod 755 "$work"  # php-fpm and the workers run as www-data
queue=mail-test-$$
pids=()
at_exit "remove_queues '$queue'"
at_exit mail_pool_stop
at_exit 'for pid in "${pids[@]}"; do kill -KILL "$pid"; wait "$pid"; done'

# figure NAME: a count printed by check-delivery.php (in $figures)
figure() { awk -v name="$1" '$1 == name { print $2 }' <<< "$figures"; }
check_delivery() { figures=$("$PHP_BIN" "$here/check-delivery.php" "$@"); }
stats() { mail_php "$MAIL_APP/status.php" --queue "$queue" "${@/#/--stat=}"; } # as the queue's user
drained() { [ "$(stats ready delayed in_flight)" = "0 0 0" ]; }
file_count() { find "$1" -name '*.eml' | wc -l; }

echo "== 1. the demo: 200 signups, 2 workers, a mailer failing 30% of the time"
demo=$work/demo
mkdir -p "$demo"
SHMQUEUE_DEMO_DIR=$demo bash "$root/scripts/demo.sh" > "$demo/output.txt" 2>&1
demo_status=$?
sed -n '/== report/,/^$/p' "$demo/output.txt"
expect "the demo exits 0" "$demo_status" -eq 0
[ "$demo_status" -eq 0 ] || tail -20 "$demo/output.txt"
report() { sed -n "s/^$1=//p" "$demo/report.txt" 2>/dev/null; }
check_delivery "$demo/outbox" "$demo/registrations.txt" "$demo/dead-letters.txt"
expect "every signup was answered 202" "$(figure accepted)" -eq 200
expect "no accepted signup lost (neither sent nor dead)" "$(figure lost)" -eq 0
expect "no mail sent twice" "$(figure sent_twice_or_more)" -eq 0
expect "sent once + dead letters = accepted" "$(( $(figure sent_once) + $(figure dead) ))" -eq "$(figure accepted)"
expect "no mail both sent and dead-lettered" "$(figure dead_and_sent)" -eq 0
expect "no mail for an address that did not sign up" "$(( $(figure unknown) + $(figure dead_unknown) ))" -eq 0
expect "every mail is a well-formed RFC 5322 welcome mail" "$(figure malformed)" -eq 0
expect "Message-IDs are unique" "$(figure message_ids_repeated)" -eq 0
expect "the report's sent count matches the outbox" "$(report sent)" = "$(figure mails)"
expect "the flaky mailer caused retries" "$(report retried)" -gt 0
expect "the queue counted each failed send (retries = retried + dead)" "$(report stats_retries)" -eq \
    "$(( $(report retried) + $(figure dead) ))"
dead_not_final=$(awk '$2 != 3' "$demo/dead-letters.txt" | wc -l)
expect "every dead letter used all 3 attempts" "$dead_not_final" -eq 0
expect "both workers exited 0 on SIGTERM" "$(report exit_codes)" = "0 0"
expect "the workers, blocked in reserve(), stopped within 1 s of SIGTERM (ms)" "$(report stop_ms)" -lt 1000
echo "   figures: $(report accepted) accepted, $(figure sent_once) sent, $(report retried) retries," \
    "$(figure dead) dead letters, $(report elapsed_ms) ms, workers stopped in $(report stop_ms) ms"

echo "== a php-fpm pool for parts 2 and 3 (queue $queue: 64 KiB, 2 s leases, 5 attempts)"
mail_pool_start "$work/pool" "$SHMQUEUE_SO" "$queue" || exit 1
mail_php -r 'new SHMQueue($argv[1], 64 << 10, 2.0, 5);' "$queue"
expect "register.php refuses a bad address with 422" "$(register not-an-address 'Bad Form')" = 422
mail_php -r '$q = new SHMQueue($argv[1]);
    foreach ([4096, 512, 64, 1] as $size) { while ($q->enQueue(str_repeat("x", $size))); }' "$queue"
expect "register.php answers 503 when the queue is full" "$(register full@example.test 'Too Late')" = 503
mail_php -r '$q = new SHMQueue($argv[1]); while ($q->deQueue() !== false);' "$queue"

echo "== 2. a worker SIGKILLed while it holds a job"
outbox=$work/outbox-2
mkdir -p "$outbox"
chown "$MAIL_WEB_USER" "$outbox"
# An SMTP "server" that never answers: the victim's send hangs with the job leased.
"$PHP_BIN" -r '$s = stream_socket_server("tcp://127.0.0.1:0");
    echo stream_socket_get_name($s, false), "\n"; sleep(120);' \
    > "$work/blackhole.txt" &
pids+=($!)
wait_until 5 grep -q : "$work/blackhole.txt"
start_worker "$work/victim.log" --queue "$queue" --mailer smtp --smtp "$(cat "$work/blackhole.txt")"
victim=$WORKER_PID
pids+=("$victim")
: > "$work/registrations-2.txt"
register_logged victim@example.test "Victim Job" "$work/registrations-2.txt"
wait_until 5 [ "$(stats in_flight)" = 1 ]
expect "the victim holds the job (in flight)" "$(stats in_flight)" = 1
kill -KILL "$victim"
wait "$victim" 2>/dev/null
register_many 19 killtest "$work/registrations-2.txt"
start_worker "$work/survivor.log" --queue "$queue" --outbox "$outbox"
survivor=$WORKER_PID
pids+=("$survivor")
wait_until 15 eval '[ "$(file_count "$outbox")" -ge 20 ] && drained'
check_delivery "$outbox" "$work/registrations-2.txt"
expect "20 signups accepted" "$(figure accepted)" -eq 20
expect "every one sent exactly once, the killed worker's job included" "$(figure sent_once)" -eq 20
expect "no mail sent twice" "$(figure sent_twice_or_more)" -eq 0
expect "the queue saw the victim's lease expire" "$(stats expired)" -eq 1
redelivered=$(grep -c "sent #[0-9]* to victim@example.test (attempt 2 of 5)" "$work/survivor.log")
expect "the survivor got the victim's job as its second delivery" "$redelivered" -eq 1
stop_workers "$survivor"
expect "the survivor exited 0 on SIGTERM" "${STOP_CODES[0]}" = 0
expect "the survivor stopped within 1 s of SIGTERM (ms)" "$STOP_MS" -lt 1000
echo "   figures: 1 job redelivered after the kill, survivor stopped in $STOP_MS ms"

echo "== 3. SmtpMailer to a real SMTP server"
"$PHP_BIN" "$root/examples/mail/smtp-sink.php" --maildir "$work/smtp" --listen 127.0.0.1:0 > "$work/sink.txt" &
pids+=($!)
wait_until 5 grep -q "listening on" "$work/sink.txt"
start_worker "$work/smtp-worker.log" --queue "$queue" --mailer smtp --smtp "$(sed 's/listening on //' "$work/sink.txt")"
smtp_worker=$WORKER_PID
pids+=("$smtp_worker")
: > "$work/registrations-3.txt"
register_many 10 smtp "$work/registrations-3.txt"
register_logged zoe@example.test "Zoë Ångström" "$work/registrations-3.txt"  # encoded words in To and Subject
# A body with lines a naive client would end the DATA with, or lose a dot of.
mail_php -r '(new SHMQueue($argv[1]))->enQueue(["to" => "dots@example.test", "name" => "Dots",
    "subject" => "Welcome, Dots!", "body" => "Hello Dots,\n.\n..two\n.one\nend\n"]);' "$queue"
echo "dots@example.test 202" >> "$work/registrations-3.txt"
wait_until 15 eval '[ "$(file_count "$work/smtp")" -ge 12 ] && drained'
check_delivery "$work/smtp" "$work/registrations-3.txt"
expect "the SMTP server received each of the 12 mails once" "$(figure sent_once)" -eq 12
expect "every mail it received is well-formed" "$(figure malformed)" -eq 0
mapfile -t dots_mails < <(grep -l "^To: \"Dots\"" "$work"/smtp/*.eml)
dots_body=$(sed '1,/^\r$/d' "${dots_mails[0]:-/dev/null}" | tr -d '\r')
expect "dot-stuffing: the body arrived unchanged" "$dots_body" = "$(printf 'Hello Dots,\n.\n..two\n.one\nend')"
expect "no send failed" "$(grep -c "failed #" "$work/smtp-worker.log")" -eq 0
stop_workers "$smtp_worker"
expect "the SMTP worker exited 0 on SIGTERM" "${STOP_CODES[0]}" = 0
expect "it stopped within 1 s of SIGTERM (ms)" "$STOP_MS" -lt 1000

finish
