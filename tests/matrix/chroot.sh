# Debian chroots for the PHP version matrix, cached under $MATRIX_CACHE so only the first run
# on a machine pays for debootstrap and apt. Sourced by tests/matrix/run.sh.
#   make_chroot trixie "" php8.4          # $MATRIX_CACHE/chroot-trixie with php8.4-cli/-dev/-fpm
#   make_chroot sid experimental php8.5   # sid, plus php8.5 from experimental
#   in_chroot trixie COMMAND...           # runs COMMAND inside, the repo and caches mounted
MATRIX_CACHE=${MATRIX_CACHE:-/var/cache/shmqueue/matrix}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# What every chroot needs to build the extension with the host's Rust toolchain (bindgen wants
# libclang; cargo links with cc) and to run the suites (the original's side of compat needs
# shmop/sysvsem, which php-common carries; ipcs and runuser are util-linux; the fpm suite talks
# to php-fpm with cgi-fcgi; the install suite's PIE build copies the tree with git and runs make).
chroot_packages=(ca-certificates gcc libc6-dev clang libclang-dev procps util-linux libfcgi-bin git make)
php_packages=(cli dev fpm)
# More packages per chroot (by suite), for suites that need them (tests/matrix/frameworks.sh);
# a package may name its suite ("php8.5-xml/experimental").
declare -A chroot_extra_packages=()

chroot_dir() { echo "$MATRIX_CACHE/chroot-$1"; }

# make_chroot SUITE EXTRA_SUITE PHP: debootstraps the chroot once (a finished one is renamed
# into place, so an interrupted run starts again), then installs whatever of the package lists
# it lacks; a stamp file records what it holds, so an unchanged setup costs nothing.
make_chroot() {
    local suite=$1 extra=$2 php=$3 dir wanted package php_wanted=() more=()
    dir=$(chroot_dir "$suite")
    for package in "${php_packages[@]}"; do php_wanted+=("$php-$package${extra:+/$extra}"); done
    read -ra more <<< "${chroot_extra_packages[$suite]:-}"
    wanted="$suite ${extra:-none} ${chroot_packages[*]} ${php_wanted[*]}${more:+ ${more[*]}}"
    [ "$(cat "$dir/.shmqueue-matrix" 2>/dev/null)" == "$wanted" ] && return 0
    if [ ! -d "$dir" ]; then
        rm -rf "$dir.partial"
        mkdir -p "$MATRIX_CACHE"
        debootstrap --variant=minbase "$suite" "$dir.partial" "$DEBIAN_MIRROR" || return 1
        {
            echo "deb $DEBIAN_MIRROR $suite main"
            [ -n "$extra" ] && echo "deb $DEBIAN_MIRROR $extra main"
        } > "$dir.partial/etc/apt/sources.list"
        mv "$dir.partial" "$dir"
    fi
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false
        -o APT::Install-Recommends=false -y -q)
    # Only PHP itself from the extra suite, php-common from the base one: experimental's
    # php-common breaks every php8.x-common of its day, and apt's solver does not look further.
    chroot "$dir" "${apt[@]}" update || return 1
    chroot "$dir" "${apt[@]}" install "${chroot_packages[@]}" || return 1
    chroot "$dir" "${apt[@]}" install "${php_wanted[@]}" ${extra:+php-common/$suite} || return 1
    if [ ${#more[@]} -gt 0 ]; then
        chroot "$dir" "${apt[@]}" install "${more[@]}" ${extra:+php-common/$suite} || return 1
    fi
    chroot "$dir" apt-get clean
    echo "$wanted" > "$dir/.shmqueue-matrix"
}

# in_chroot SUITE COMMAND...: runs COMMAND in the chroot, in a mount and IPC namespace of its own
# (nothing stays mounted after it, and its /dev/shm and /tmp are private, so queues and temp
# files of concurrent host tests are neither seen nor touched). Mounted at their host paths:
# the repository, its git data (outside it in a git worktree) and ../shared (read-only), the Rust
# toolchain (read-only), $MATRIX_CACHE/work.
in_chroot() {
    local root
    root=$(chroot_dir "$1")
    shift
    unshare --mount --ipc --propagation private bash -c '
        set -e
        root=$1; shift
        bind() { # path ro|rw
            [ -e "$1" ] || return 0
            mkdir -p "$root$1"
            mount --bind "$1" "$root$1"
            [ "$2" == rw ] || mount -o remount,bind,ro "$root$1"
        }
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
        mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
        bind "$REPO_ROOT" ro
        bind "$(git -C "$REPO_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)" ro # git data of a worktree
        bind "$(dirname "$REPO_ROOT")/shared" ro
        bind "$RUSTUP_HOME" ro
        bind "$MATRIX_CACHE/work" rw
        bind "$CARGO_REGISTRY" ro
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        exec chroot "$root" "$@"
    ' in_chroot "$root" "$@"
}
