#!/usr/bin/env bash
# Sends GET enqueue.php?q=$QUEUE&kind=$KIND&id=<id> to php-fpm over FastCGI for each id given; prints
# "<id> <response body>" per request (one write each, so parallel senders do not interleave).
# A request without an answer within 10 s ends the batch (the rest are reported as skipped), so a
# hung pool costs seconds, not hours. Environment: SOCKET (php-fpm's), SCRIPT_FILENAME, QUEUE, KIND (shm, durable).
export REQUEST_METHOD=GET
timed_out=""
for id in "$@"; do
    if [ -n "$timed_out" ]; then
        echo "$id <skipped: an earlier request of this batch got no answer>"
        continue
    fi
    # --foreground keeps cgi-fcgi in the suite's process group, so Ctrl-C reaches it.
    response=$(QUERY_STRING="q=$QUEUE&kind=$KIND&id=$id" timeout --foreground 10 cgi-fcgi -bind -connect "$SOCKET" 2>&1)
    [ $? -eq 124 ] && timed_out=yes
    body=${response#*$'\r\n\r\n'}
    [ "$body" == "$response" ] && body="<no FastCGI answer: $response>"
    echo "$id ${body//$'\n'/ }"
done
