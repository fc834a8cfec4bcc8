# Runs the mail example the way production would: a php-fpm pool (user www-data) serving
# register.php, and the workers as the same user. Sourced by scripts/demo.sh and
# tests/mail-demo/run.sh; needs root (php-fpm and setpriv switch to www-data).
#
#   mail_pool_start DIR SO QUEUE   copy the app and the extension into DIR (www-data must read
#                                  them, wherever the checkout is) and start php-fpm; the app
#                                  is then in $MAIL_APP, the PHP flags loading the extension in
#                                  MAIL_EXT (empty when SO is empty: the installed extension)
#   mail_php ARGS...               run php with the extension, as www-data
#   start_worker LOG ARGS...       start worker.php ARGS as www-data in the background, output to
#                                  LOG; its pid is then in $WORKER_PID
#   stop_workers PID...            SIGTERM them, wait; sets STOP_MS (until the last one exited)
#                                  and STOP_CODES (exit statuses; "killed" if still there after 5 s)
#   register EMAIL NAME            one signup through php-fpm (POST); prints the HTTP status
#   register_many N PREFIX FILE    N concurrent signups PREFIX<i>@example.test; appends
#                                  "<email> <status>" lines to FILE
#   mail_pool_stop                 stop php-fpm

source "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/fpm.sh"   # the pool starter
MAIL_WEB_USER=$FPM_USER

mail_pool_start() {
    local dir=$1 so=$2 queue=$3
    MAIL_APP=$dir/app
    MAIL_FPM_SOCKET=$dir/mail.sock
    mkdir -p "$MAIL_APP"
    chmod 755 "$MAIL_APP"
    install -m 644 "$(dirname "${BASH_SOURCE[0]}")"/*.php "$MAIL_APP"/
    fpm_prepare "$dir" "$so" || return 1
    MAIL_EXT=("${FPM_EXT[@]}")
    fpm_start mail < <(fpm_pool mail 4 0 0 "env[SHMQUEUE_MAIL_QUEUE] = $queue" \
        "php_admin_value[error_log] = $dir/php-errors.log" "php_admin_flag[log_errors] = on") || return 1
    export MAIL_APP MAIL_FPM_SOCKET
    export -f register register_logged url_encode
}

mail_pool_stop() { fpm_stop; }

# Replaces the calling (sub)shell, so that a background job's pid is the command's own.
exec_as_web_user() {
    exec setpriv --reuid="$MAIL_WEB_USER" --regid="$MAIL_WEB_USER" --init-groups -- "$@"
}

mail_php() {
    (exec_as_web_user "${PHP_BIN:-php}" "${MAIL_EXT[@]}" "$@")
}

start_worker() {
    local log=$1
    shift
    exec_as_web_user "${PHP_BIN:-php}" "${MAIL_EXT[@]}" "$MAIL_APP/worker.php" "$@" > "$log" 2>&1 &
    WORKER_PID=$!
}

stop_workers() {
    local start pid code
    start=$(date +%s%N)
    kill -TERM "$@"
    STOP_CODES=()
    for pid in "$@"; do
        # A worker ignoring SIGTERM must not hang the caller.
        while kill -0 "$pid" 2>/dev/null && [ $(( $(date +%s%N) - start )) -lt 5000000000 ]; do
            sleep 0.01
        done
        kill -KILL "$pid" 2>/dev/null && echo "worker $pid ignored SIGTERM for 5 s: killed" >&2
        code=0
        wait "$pid" 2>/dev/null || code=$?
        STOP_CODES+=("$([ "$code" -eq 137 ] && echo killed || echo "$code")")
    done
    STOP_MS=$(( ($(date +%s%N) - start) / 1000000 ))
}

register() {
    local body response
    body="email=$(url_encode "$1")&name=$(url_encode "$2")"
    response=$(printf %s "$body" | env -i SCRIPT_FILENAME="$MAIL_APP/register.php" REQUEST_METHOD=POST \
        CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#body} \
        cgi-fcgi -bind -connect "$MAIL_FPM_SOCKET" 2>/dev/null | tr -d '\r')
    if [ -z "$response" ]; then
        echo 000  # no answer at all
    elif [[ $response =~ ^Status:\ ([0-9]+) ]] || [[ $response =~ $'\n'Status:\ ([0-9]+) ]]; then
        echo "${BASH_REMATCH[1]}"
    else
        echo 200  # php-fpm sends no Status header for 200
    fi
}

# Every byte as %XX: always a valid form value.
url_encode() {
    printf %s "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'
}

register_logged() {
    local status
    status=$(register "$1" "$2")
    echo "$1 $status" >> "$3"  # one short O_APPEND write: lines from parallel calls stay whole
}

register_many() {
    local n=$1 prefix=$2 file=$3
    seq 1 "$n" | xargs -P 16 -I{} bash -c 'register_logged "$0" "$1" "$2"' "$prefix{}@example.test" "User {}" "$file"
}
