#!/usr/bin/env bash
# The README's quick start on a fresh Debian 12, in a chroot: a minimal bookworm (debootstrap,
# with ca-certificates, as a machine that got rustup over https has) gets a clean copy of this
# tree and this machine's Rust toolchain, then runs, as root and in this order,
#   bash scripts/demo.sh     then     bash scripts/test.sh
# and prints the last lines of each. Every run starts from a fresh copy of the base system, which
# is made once and cached outside the repository. Not part of scripts/test.sh (it runs it); needs
# root, debootstrap (bash scripts/deps.sh fresh-machine) and the network (Debian's archive).
#   SHMQUEUE_FRESH_CACHE=dir    the cache (default /var/cache/shmqueue): bookworm-base/, and
#                               last-run/ with the logs of the latest run (demo.log, test.log and
#                               test.sh's own logs)
#   SHMQUEUE_FRESH_MIRROR=url   Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   SHMQUEUE_FRESH_HEAD=1       the last commit only (default: the working tree, as `git add -A`
#                               would commit it)
#   SHMQUEUE_FRESH_MATRIX=own   the PHP version matrix makes its chroots and ZTS PHP inside the
#                               copy (default: it uses this machine's, $MATRIX_CACHE, see below)
# The chroot shares this machine's processes, network and IPC, but has a /dev/shm of its own, so
# that its queues and the suites running here cannot meet.
set -uo pipefail
source "$(dirname "$0")/../tests/lib/common.sh"   # at_exit, check, finish

cache=${SHMQUEUE_FRESH_CACHE:-/var/cache/shmqueue}
mirror=${SHMQUEUE_FRESH_MIRROR:-http://deb.debian.org/debian}
base=$cache/bookworm-base
rust_home=${CARGO_HOME:-$HOME/.cargo}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
matrix_cache=${MATRIX_CACHE:-/var/cache/shmqueue/matrix}
require_root "debootstrap, chroot and mount"
require_commands debootstrap git mount chroot   # bash scripts/deps.sh fresh-machine

if [ ! -e "$base/.complete" ]; then
    echo "== making the base system $base (debootstrap bookworm, once)"
    rm -rf "$base.partial"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$base.partial" "$mirror" \
        > "$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log"; fail "debootstrap bookworm"; finish; }
    touch "$base.partial/.complete"
    mv "$base.partial" "$base"
fi

run_root=$(mktemp -d "$cache/run.XXXXXX")
echo "== a fresh copy of it: $run_root"
cp -a "$base/." "$run_root/"

# Unmounted newest first, and the copy removed only when nothing is mounted in it any more (the
# toolchain is a bind mount of this machine's: removing through it would remove the original).
mounted() { grep -c " $run_root[/ ]" /proc/self/mountinfo; }
at_exit "[ \"\$(mounted)\" -eq 0 ] && rm -rf --one-file-system '$run_root'"
# Private mounts: nothing mounted in the chroot propagates back to this machine's /dev (a tmpfs
# on /dev/shm there would hide every queue here).
mount_in() { # mount arguments... target (inside the chroot)
    local target=$run_root${*: -1}
    mkdir -p "$target"
    mount "${@:1:$#-1}" "$target" && at_exit "umount -l '$target'" && mount --make-private "$target"
}
# The copy's root is a mount point, as a machine's is: the version matrix's own chroots
# (tests/matrix/chroot.sh) unshare their mounts, which needs a / that is one.
mount_in --bind "$run_root" /
mount_in --bind /proc /proc
mount_in --bind /sys /sys
mount_in --bind /dev /dev
mount_in --bind /dev/pts /dev/pts
mount_in -t tmpfs -o mode=1777 shm /dev/shm
# Downloaded packages are kept for the next run (they are installed afresh each time).
mkdir -p "$cache/apt-archives/partial"
mount_in --bind "$cache/apt-archives" /var/cache/apt/archives
mount_in --bind "$rustup_home" /root/.rustup && mount -o remount,bind,ro "$run_root/root/.rustup"
# The version matrix's chroots and ZTS PHP (tests/matrix: debootstrap of trixie and sid, a PHP
# compiled from source) are this machine's, at the same path (the ZTS PHP's is built in):
# tests/matrix/run.sh brings them up to date as it would here. SHMQUEUE_FRESH_MATRIX=own has the
# run make its own inside the copy instead, as on a machine that never ran the matrix (slower).
if [ "${SHMQUEUE_FRESH_MATRIX:-shared}" != own ]; then
    mkdir -p "$matrix_cache"
    mount_in --bind "$matrix_cache" "$matrix_cache"
fi
# Processes the run left behind (a daemon started by a package, say) end with it.
at_exit 'for proc in /proc/[0-9]*; do [ "$(readlink "$proc/root")" = "$run_root" ] && kill -KILL "${proc#/proc/}"; done'

cp -a "$rust_home" "$run_root/root/.cargo"
# This machine's way out: its nameservers, and the certificate authorities it trusts beyond
# Debian's (a network that inspects https has one of its own), so that https from the copy
# (npm's registry) works as it does here.
cp /etc/resolv.conf "$run_root/etc/resolv.conf"
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp -a /usr/local/share/ca-certificates/. "$run_root/usr/local/share/ca-certificates/"
    chroot "$run_root" update-ca-certificates >/dev/null 2>&1
fi
# As in any chroot: packages do not start their services (php-fpm, redis) here.
printf '#!/bin/sh\nexit 101\n' > "$run_root/usr/sbin/policy-rc.d"
chmod 755 "$run_root/usr/sbin/policy-rc.d"

tree=$run_root/root/shmqueue
git clone --quiet "$REPO_ROOT" "$tree"
if [ "${SHMQUEUE_FRESH_HEAD:-}" = 1 ]; then
    echo "== the tree: commit $(git -C "$REPO_ROOT" rev-parse --short HEAD)"
else
    # The working tree's changes on top: what git knows (tracked, or untracked and not ignored).
    while IFS= read -r -d '' file; do
        if [ -e "$REPO_ROOT/$file" ]; then
            (cd "$REPO_ROOT" && cp -a --parents "$file" "$tree")
        else
            rm -f "$tree/$file"
        fi
    done < <(git -C "$REPO_ROOT" ls-files -z -mo --exclude-standard)
    echo "== the tree: commit $(git -C "$REPO_ROOT" rev-parse --short HEAD) and the working tree's" \
        "$(git -C "$tree" status --porcelain | wc -l) changed files"
fi

in_chroot() { # log, command: runs it in the tree as root with a login's environment
    chroot "$run_root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb MATRIX_CACHE="$matrix_cache" \
        PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        bash -c "cd /root/shmqueue && $2" > "$1" 2>&1
}
logs=$cache/last-run
rm -rf "$logs"
mkdir -p "$logs"
at_exit "cp -a '$run_root'/tmp/shmqueue-tests.* '$logs/' 2>/dev/null"

for step in demo test; do
    started=$SECONDS
    echo "== bash scripts/$step.sh (log: $logs/$step.log)"
    in_chroot "$logs/$step.log" "bash scripts/$step.sh"
    status=$?
    # The demo's report onwards; the tests' summary.
    if [ $step = demo ] && grep -q '^== report' "$logs/$step.log"; then
        sed -n '/^== report/,$p' "$logs/$step.log" | sed 's/^/   /'
    else
        tail -n 22 "$logs/$step.log" | sed 's/^/   /'
    fi
    echo "   ($((SECONDS - started)) s, exit status $status)"
    check "scripts/$step.sh on a fresh bookworm exits 0" 0 "$status"
done
last=$(tail -n 1 "$logs/test.log")
check "scripts/test.sh ends with N passed, 0 failed" "0 failed" "$(grep -oE '[0-9]+ failed$' <<< "$last")" "its last line: $last"
# The suites leave the machine as they found it: the demo's install is still in place.
in_chroot "$logs/after.log" 'php -m'
check "after the tests, php -m still lists the shmqueue the demo installed" 1 "$(grep -cx shmqueue "$logs/after.log")"
finish
