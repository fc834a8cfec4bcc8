# Shared by the fpm-duress and leaks suites: a private php-fpm master with pools on unix sockets
# in a temporary directory, and requests to it with cgi-fcgi (libfcgi-bin). Source after suite.sh.
# Pools run as www-data when we are root (as in CI), so the directory, the extension and the
# scripts must be readable by www-data: fpm_prepare copies them there.
FPM_BIN=${FPM_BIN:-$(command -v php-fpm8.2 || command -v php-fpm || echo /usr/sbin/php-fpm8.2)}
FPM_PID=
FPM_DIR=

# fpm_prepare <dir> <files...>: makes <dir> (the home of what follows) readable by the pool user
# and copies the extension (as <dir>/shmqueue.so) and the given files into it.
fpm_prepare() {
    local dir=$1
    shift
    FPM_DIR=$dir
    chmod 755 "$dir"
    cp "$SHMQUEUE_SO" "$dir/shmqueue.so"
    cp "$@" "$dir/"
    chmod a+r "$dir"/*
}

# fpm_pool <name> <children> <max requests> <terminate timeout> [extra line...]: one static pool
# listening on <dir>/<name>.sock, printed as configuration text.
fpm_pool() {
    local name=$1 children=$2 max_requests=$3 timeout=$4
    shift 4
    printf '[%s]\n' "$name"
    [ "$(id -u)" -eq 0 ] && printf 'user = www-data\ngroup = www-data\n'
    printf 'listen = %s/%s.sock\npm = static\npm.max_children = %s\npm.max_requests = %s\n' \
        "$FPM_DIR" "$name" "$children" "$max_requests"
    printf 'request_terminate_timeout = %s\ncatch_workers_output = yes\n' "$timeout"
    printf '%s\n' "$@"
}

# fpm_start <pool names...>: starts php-fpm (pools' configuration text on stdin) and waits for
# the sockets of the named pools. Log: <dir>/fpm.log. Not in a pipeline (it sets FPM_PID):
#   fpm_start main < <(fpm_pool main 4 20 1s)
fpm_start() {
    local dir=$FPM_DIR i pool
    {
        printf '[global]\nerror_log = %s/fpm.log\nlog_level = notice\ndaemonize = no\n' "$dir"
        cat
    } >"$dir/fpm.conf"
    "$FPM_BIN" -n -d extension="$dir/shmqueue.so" -y "$dir/fpm.conf" -F >"$dir/fpm.out" 2>&1 &
    FPM_PID=$!
    for pool in "$@"; do
        for i in $(seq 100); do
            [ -S "$dir/$pool.sock" ] && break
            sleep 0.1
        done
        [ -S "$dir/$pool.sock" ] || { cat "$dir/fpm.out" "$dir/fpm.log" 2>/dev/null; return 1; }
    done
}

# The pids of the children of process <pid> (without procps, which minimal systems lack).
children_of() { # pid
    local proc
    for proc in /proc/[0-9]*; do
        [ "$(awk '{ sub(/.*\) /, ""); print $2 }' "$proc/stat" 2>/dev/null)" = "$1" ] && echo "${proc#/proc/}"
    done
}

# Stops php-fpm gracefully, and for sure: its workers too, should the master have to be killed.
fpm_stop() {
    [ -n "$FPM_PID" ] || return 0
    local children
    children=$(children_of "$FPM_PID")
    kill -QUIT "$FPM_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$FPM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$FPM_PID" $children 2>/dev/null
    wait "$FPM_PID" 2>/dev/null
    FPM_PID=
}

# fcgi_get <socket> <script> <query string>: the response body (headers stripped) on stdout.
fcgi_get() {
    SCRIPT_FILENAME=$2 SCRIPT_NAME=/$(basename "$2") REQUEST_METHOD=GET QUERY_STRING=$3 \
        cgi-fcgi -bind -connect "$1" 2>/dev/null | sed '1,/^\r\{0,1\}$/d'
}
