#!/usr/bin/env bash
# Permissions: a queue created with the default mode 0600 is out of reach of a second Unix user,
# who gets a SHMQueueException naming the queue and saying "permission denied" (reading, writing
# and removing alike); one created with shmqueue.permissions=0660 by a user whose primary group is
# shared can be used by the members of that group, and by no one else; 0640 lets the group see
# but not use it. Needs root (to be the other users): creates, and keeps, the system users
# shmqowner (primary group shmqshare), shmqtest (member of shmqshare) and shmqoutsider.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
require_root "to act as other users"
require_commands runuser useradd groupadd usermod

make_temp_dir dir permissions
private="permissions-$$-private"
shared="permissions-$$-shared"
group_read="permissions-$$-group-read"
at_exit "remove_queues '$private' '$shared' '$group_read'"

getent group shmqshare >/dev/null || groupadd -r shmqshare
id shmqowner >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin -g shmqshare shmqowner
id shmqtest >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin shmqtest
id shmqoutsider >/dev/null 2>&1 || useradd -M -r -s /usr/sbin/nologin shmqoutsider
# Not `id | grep -q`: under pipefail grep's early exit can fail the pipe (EPIPE).
[[ " $(id -nG shmqtest) " == *" shmqshare "* ]] || usermod -aG shmqshare shmqtest

# The other users must be able to read the extension and the script.
chmod 755 "$dir"
cp "$SHMQUEUE_SO" "$dir/shmqueue.so"
cp "$here/as_user.php" "$dir/"
chmod 755 "$dir"/*
as() { # user [ini flags...] action queue [value]
    local user=$1
    shift
    if [ "$user" = root ]; then
        "$PHP_BIN" -n -d extension="$dir/shmqueue.so" "$dir/as_user.php" "$@"
    else
        runuser -u "$user" -- "$PHP_BIN" -n -d extension="$dir/shmqueue.so" "$dir/as_user.php" "$@"
    fi
}
as_with() { # user ini action queue [value]
    local user=$1 ini=$2
    shift 2
    runuser -u "$user" -- "$PHP_BIN" -n -d extension="$dir/shmqueue.so" -d "$ini" "$dir/as_user.php" "$@"
}
mode_of() { stat -c '%a %U:%G' "/dev/shm/shmqueue.$1" 2>&1; }
# denied "<what>" <output>: the output must be a SHMQueueException naming the queue and saying
# permission denied.
denied() {
    echo "  $2"
    if [[ "$2" == "SHMQueueException: "* && "$2" == *"\"$3\""* && "${2,,}" == *"permission denied"* ]]; then
        pass "$1"
    else
        fail "$1: expected SHMQueueException naming \"$3\" and saying permission denied, got: $2"
    fi
}

echo "0600 queue of root, used by shmqtest"
check "root stores a message in its new queue" true "$(as root enqueue "$private" secret)"
check "the default mode on /dev/shm is 0600, owned by root" "600 root:root" "$(mode_of "$private")"
denied "shmqtest cannot write to root's 0600 queue" "$(as shmqtest enqueue "$private" intruder)" "$private"
denied "shmqtest cannot read root's 0600 queue" "$(as shmqtest dequeue "$private")" "$private"
denied "shmqtest cannot remove root's 0600 queue" "$(as shmqtest remove "$private")" "$private"
check "root's queue is untouched (its one message, nothing added)" 1 "$(as root length "$private")"
check "root reads its message back" "'secret'" "$(as root dequeue "$private")"

echo "0660 queue of shmqowner (primary group shmqshare), used by shmqtest (member of shmqshare)"
check "shmqowner creates a 0660 queue and stores a message" true "$(as_with shmqowner shmqueue.permissions=0660 enqueue "$shared" "from owner")"
check "the mode on /dev/shm is 0660, group shmqshare" "660 shmqowner:shmqshare" "$(mode_of "$shared")"
untrusted=$(as shmqtest dequeue "$shared")
echo "  $untrusted"
check "shmqtest refuses the queue of shmqowner until it trusts shmqowner (names the owner and the setting)" yes \
    "$([[ "$untrusted" == "SHMQueueException: "*"shmqueue.trusted_users"* && "$untrusted" == *"$(id -u shmqowner)"* ]] && echo yes)"
check "shmqtest (group member, trusting shmqowner) reads shmqowner's message" "'from owner'" \
    "$(as_with shmqtest shmqueue.trusted_users=shmqowner dequeue "$shared")"
check "shmqtest (group member, trusting shmqowner) writes to the shared queue" true \
    "$(as_with shmqtest shmqueue.trusted_users=shmqowner enqueue "$shared" "from shmqtest")"
check "shmqowner reads shmqtest's message" "'from shmqtest'" "$(as shmqowner dequeue "$shared")"
denied "shmqoutsider (not in the group) cannot use the 0660 queue" "$(as shmqoutsider open "$shared")" "$shared"

echo "queue squatting: shmqoutsider creates a name first, writable by all, and plants an object"
squat="$shared-squat"
check "shmqoutsider creates a queue and plants a value" true "$(as shmqoutsider enqueue "$squat" planted)"
runuser -u shmqoutsider -- chmod 0666 "/dev/shm/shmqueue.$squat" # as a squatter would
squatted=$(as root dequeue "$squat")
echo "  $squatted"
check "root refuses the planted queue (another user's, writable by others) and says whose it is" yes \
    "$([[ "$squatted" == "SHMQueueException: "*"$(id -u shmqoutsider)"* ]] && echo yes)"
squatted=$(as_with root shmqueue.trusted_users=shmqoutsider dequeue "$squat")
check "root refuses it even trusting its owner while others may write it" yes \
    "$([[ "$squatted" == "SHMQueueException: "* ]] && echo yes)" "$squatted"
as shmqoutsider remove "$squat" >/dev/null

echo "0640 queue of shmqowner: the group may look but not use it"
check "shmqowner creates a 0640 queue" opened "$(as_with shmqowner shmqueue.permissions=0640 open "$group_read")"
check "the mode on /dev/shm is 0640" "640 shmqowner:shmqshare" "$(mode_of "$group_read")"
denied "shmqtest (group member, read-only) cannot use the 0640 queue" "$(as shmqtest open "$group_read")" "$group_read"
finish
