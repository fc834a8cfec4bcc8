# Part of the test library (tests/lib): the one php-fpm pool starter, for the suites (fpm,
# fpm-duress, leaks, install) and the mail demo (examples/mail/fpm-pool.sh). A private php-fpm
# master in a directory of its own, pools on unix sockets there, requests with cgi-fcgi
# (libfcgi-bin). Sourced on its own: it needs no other part of the library.
# Pools run as www-data when we are root, so the directory, the extension and the scripts must be
# readable by www-data: fpm_prepare copies them there.
#   fpm_prepare DIR SO [FILE...]   DIR becomes the home of what follows; SO is copied there as
#                                  shmqueue.so and loaded with -n (no php.ini: an installed copy
#                                  cannot interfere); an empty SO: the system's php.ini, so the
#                                  installed shmqueue, if any. Copies the FILEs into DIR
#   fpm_start POOL... < <(fpm_pool NAME CHILDREN [MAX_REQUESTS [TIMEOUT]] [LINE...]; ...)
#                                  starts php-fpm with those pools (DIR/NAME.sock each) and waits
#                                  for their sockets; sets FPM_PID. Log DIR/fpm.log, pid DIR/fpm.pid
#   fpm_children                   the pids of the master's workers
#   fpm_stop                       stops it gracefully, and for sure
#   fcgi_get SOCKET SCRIPT QUERY   a GET request; the response body on stdout
FPM_BIN=${FPM_BIN:-$(command -v php-fpm8.2 || command -v php-fpm || echo /usr/sbin/php-fpm8.2)}
FPM_USER=www-data
FPM_PID=
FPM_DIR=
FPM_EXT=()

fpm_prepare() {
    local dir=$1 so=$2 file
    shift 2
    FPM_DIR=$dir
    mkdir -p "$dir"
    chmod 755 "$dir"
    FPM_EXT=()
    if [ -n "$so" ]; then
        install -m 644 "$so" "$dir/shmqueue.so"
        FPM_EXT=(-n -d "extension=$dir/shmqueue.so")
    fi
    [ $# -eq 0 ] || install -m 644 "$@" "$dir/"
    [ "$(id -u)" -eq 0 ] || return 0
    for file in "$dir" "$dir"/*; do
        [ -e "$file" ] || continue
        if ! setpriv --reuid="$FPM_USER" --regid="$FPM_USER" --init-groups -- test -r "$file"; then
            echo "$FPM_USER cannot read $file: every directory above $dir must be searchable (chmod o+x)" >&2
            return 1
        fi
    done
}

# One static pool on DIR/NAME.sock, as configuration text. MAX_REQUESTS 0: workers are never
# recycled; TIMEOUT 0: requests are never killed.
fpm_pool() { # name children [max requests [terminate timeout]] [extra line...]
    local name=$1 children=$2 max_requests=${3:-0} timeout=${4:-0}
    shift $(($# < 4 ? $# : 4))
    printf '[%s]\n' "$name"
    [ "$(id -u)" -eq 0 ] && printf 'user = %s\ngroup = %s\n' "$FPM_USER" "$FPM_USER"
    printf 'listen = %s/%s.sock\npm = static\npm.max_children = %s\npm.max_requests = %s\n' \
        "$FPM_DIR" "$name" "$children" "$max_requests"
    printf 'request_terminate_timeout = %s\ncatch_workers_output = yes\n' "$timeout"
    printf '%s\n' "$@"
}

# Not in a pipeline or $(...): it sets FPM_PID.
fpm_start() { # pool name...
    local dir=$FPM_DIR i pool
    {
        printf '[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\nlog_level = notice\ndaemonize = no\n' "$dir" "$dir"
        cat
    } >"$dir/fpm.conf"
    "$FPM_BIN" "${FPM_EXT[@]}" -y "$dir/fpm.conf" -F >"$dir/fpm.out" 2>&1 &
    FPM_PID=$!
    for pool in "$@"; do
        for ((i = 0; i < 100; i++)); do
            [ -S "$dir/$pool.sock" ] && break
            kill -0 "$FPM_PID" 2>/dev/null || break
            sleep 0.1
        done
        if [ ! -S "$dir/$pool.sock" ]; then
            echo "php-fpm did not listen on $dir/$pool.sock:" >&2
            cat "$dir/fpm.out" "$dir/fpm.log" >&2 2>/dev/null
            return 1
        fi
    done
}

# The pids of the children of process <pid> (without procps, which minimal systems lack).
children_of() { # pid
    local proc
    for proc in /proc/[0-9]*; do
        [ "$(awk '{ sub(/.*\) /, ""); print $2 }' "$proc/stat" 2>/dev/null)" = "$1" ] && echo "${proc#/proc/}"
    done
}
fpm_children() { children_of "$FPM_PID"; }

# Graceful (SIGQUIT); after 5 s the master and its workers are killed.
fpm_stop() {
    [ -n "$FPM_PID" ] || return 0
    local children i
    children=$(fpm_children)
    kill -QUIT "$FPM_PID" 2>/dev/null
    for ((i = 0; i < 50; i++)); do kill -0 "$FPM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$FPM_PID" $children 2>/dev/null
    wait "$FPM_PID" 2>/dev/null
    FPM_PID=
}

# A pool that never answers costs 10 s, not the whole run.
fcgi_get() { # socket script query
    SCRIPT_FILENAME=$2 SCRIPT_NAME=/$(basename "$2") REQUEST_METHOD=GET QUERY_STRING=$3 \
        timeout 10 cgi-fcgi -bind -connect "$1" 2>/dev/null | sed '1,/^\r\{0,1\}$/d'
}
