# Setting up each PHP of the matrix and building the extension for it: shared by the matrix
# (tests/matrix/run.sh) and its early start (tests/matrix/prepare.sh, which scripts/test.sh runs
# in the background while the host's suites run, so a fresh machine pays for debootstrap, apt,
# compiling PHP and the cold builds during them, not after). Each version's setup holds a lock
# ($MATRIX_CACHE/prepare-VERSION.lock) while it runs; every step is cached (stamps, cargo), so
# whoever comes second waits for the lock and then finds the work done.
# Sourced after tests/lib/common.sh; sets matrix_versions, work, logs, toolchain.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/chroot.sh"
source "$here/frameworks.sh"
source "$here/zts.sh"

matrix_versions=${MATRIX_VERSIONS:-8.4 8.5 zts}
work="$MATRIX_CACHE/work"
logs="$MATRIX_CACHE/logs"
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
CARGO_REGISTRY="$CARGO_HOME/registry"
export REPO_ROOT MATRIX_CACHE RUSTUP_HOME CARGO_REGISTRY
toolchain=$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)")

matrix_can_run() { [ "$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null; }

# Crates come from the host's registry, read-only in the chroots, so they build offline.
# The first step of a matrix run or its early start.
fetch_crates() {
    mkdir -p "$work" "$logs" && (cd "$REPO_ROOT" && cargo fetch --locked >"$logs/fetch.log" 2>&1)
}

# Runs a command where that version's PHP lives, with a clean environment (the host's
# PHP_INI_SCAN_DIR and the like must not reach another PHP).
where() { # version command...
    local version=$1
    shift
    local env=(env -i HOME=/root LANG=C.UTF-8 PATH="$toolchain:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        CARGO_HOME="$CARGO_HOME" RUSTUP_HOME="$RUSTUP_HOME" CARGO_TARGET_DIR="$work/target-$version")
    case $version in
        8.4) in_chroot trixie "${env[@]}" PHP=/usr/bin/php8.4 PHP_CONFIG=/usr/bin/php-config8.4 PHP_BIN=/usr/bin/php8.4 "$@" ;;
        8.5) in_chroot sid "${env[@]}" PHP=/usr/bin/php8.5 PHP_CONFIG=/usr/bin/php-config8.5 PHP_BIN=/usr/bin/php8.5 "$@" ;;
        zts) "${env[@]}" PHP="$zts_prefix/bin/php" PHP_CONFIG="$zts_prefix/bin/php-config" PHP_BIN="$zts_prefix/bin/php" "$@" ;;
    esac
}

set_up_php() { # version: the chroot with that PHP, or the ZTS build; log in $logs
    case $1 in
        8.4) make_chroot trixie "" php8.4 ;;
        8.5) make_chroot sid experimental php8.5 ;;
        zts) make_zts_php ;;
    esac >"$logs/prepare-$1.log" 2>&1
}

build_release() { # version: $work/target-VERSION/release/libshmqueue.so
    where "$1" cargo build --release --locked --offline -p shmqueue \
        --manifest-path "$REPO_ROOT/Cargo.toml" >"$logs/build-$1.log" 2>&1
}

# The test-hooks build (pause points in the critical section) is for the chaos suite only, so it
# skips the release profile's slow whole-program optimisation: it would add minutes per version
# to a first run.
build_hooks() { # version: $work/target-VERSION-hooks/release/libshmqueue.so
    where "$1" CARGO_TARGET_DIR="$work/target-$1-hooks" CARGO_PROFILE_RELEASE_LTO=false \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo build --release --locked --offline -p shmqueue \
        --features test-hooks --manifest-path "$REPO_ROOT/Cargo.toml" >"$logs/build-$1-hooks.log" 2>&1
}

# Waits while another process (the early start) sets this version up.
wait_for_setup() { # version
    local lock
    exec {lock}>"$MATRIX_CACHE/prepare-$1.lock"
    flock "$lock"
    exec {lock}>&-
}

# All of a version's setup under its lock, for the early start.
prepare_version() { # version
    local lock
    exec {lock}>"$MATRIX_CACHE/prepare-$1.lock"
    flock "$lock" && set_up_php "$1" && build_release "$1" && build_hooks "$1"
}
