#!/usr/bin/env bash
# The PHP version matrix: builds the extension against PHP 8.4 (Debian trixie), 8.5 (Debian
# experimental, on sid) and a thread-safe (ZTS) PHP 8.2 built from Debian bookworm's source, and
# runs with each the phpt suite (that version's run-tests.php), the compat and chaos suites; with
# 8.4 and 8.5 the fpm suite (that version's php-fpm); with ZTS the threaded test (threads.sh);
# with each the install suite (install.sh: in the chroots with that version's php-fpm).
# The host's own PHP 8.2 is what the rest of scripts/test.sh tests.
# With 8.4 and 8.5 also the framework adapters on that release's Laravel and Symfony (frameworks.sh).
#   bash tests/matrix/run.sh                       # all versions
#   MATRIX_VERSIONS="8.4 zts" bash tests/matrix/run.sh
# Chroots, the ZTS PHP and the builds are cached in $MATRIX_CACHE (/var/cache/shmqueue/matrix),
# so only a first run on a machine pays for debootstrap, apt, compiling PHP and the builds.
# Needs: root, debootstrap, network access to deb.debian.org (first run), the host's Rust
# toolchain, gcc, make, dpkg-dev and xz-utils (the ZTS build).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/chroot.sh"
source "$here/frameworks.sh"
source "$here/zts.sh"
source "$here/relay.sh"
source "$here/install.sh"

versions=${MATRIX_VERSIONS:-8.4 8.5 zts}
work="$MATRIX_CACHE/work"
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
CARGO_REGISTRY="$CARGO_HOME/registry"
export REPO_ROOT MATRIX_CACHE RUSTUP_HOME CARGO_REGISTRY
started=$(seconds_now)

if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null; then
    fail "runs as root with debootstrap" "expected: uid 0 and debootstrap (apt-get install debootstrap)" \
        "came:     uid $(id -u), debootstrap: $(command -v debootstrap || echo missing)"
    finish
fi
toolchain=$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)")
mkdir -p "$work" "$MATRIX_CACHE/logs"
logs="$MATRIX_CACHE/logs"

# Crates come from the host's registry, read-only in the chroots, so they build offline.
(cd "$REPO_ROOT" && cargo fetch --locked >"$logs/fetch.log" 2>&1) ||
    fail "host: cargo fetch" "$(tail -5 "$logs/fetch.log")"

# The setups are independent and mostly wait on the network (chroots) or the CPU (ZTS build):
# made side by side, each logging to its own file.
prepare() { # version
    case $1 in
        8.4) make_chroot trixie "" php8.4 ;;
        8.5) make_chroot sid experimental php8.5 ;;
        zts) make_zts_php ;;
    esac
}
declare -A preparing
for version in $versions; do
    prepare "$version" >"$logs/prepare-$version.log" 2>&1 &
    preparing[$version]=$!
done
at_exit 'kill $(jobs -p)'   # a run stopped half-way leaves no setup running on (only live jobs)

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

test_version() { # version
    local version=$1 so="$work/target-$1/release/libshmqueue.so" t
    t=$(seconds_now)
    if ! wait "${preparing[$version]}"; then
        fail "$version: PHP set up (chroot or ZTS build)" "$(tail -15 "$logs/prepare-$version.log")"
        return
    fi
    pass "$version: PHP set up ($(seconds_since "$t") s waited)"
    t=$(seconds_now)
    if ! where "$version" cargo build --release --locked --offline -p shmqueue \
        --manifest-path "$REPO_ROOT/Cargo.toml" >"$logs/build-$version.log" 2>&1; then
        fail "$version: extension builds" "$(grep -E '^(error|warning: unused)' -A5 "$logs/build-$version.log" | head -30)" \
            "(full log: $logs/build-$version.log)"
        return
    fi
    pass "$version: extension builds ($(seconds_since "$t") s)"
    check "$version: the build loads and names its PHP" "$(where "$version" bash -c 'echo "$($PHP_BIN -r "echo PHP_VERSION;") loaded"')" \
        "$(where "$version" bash -c '$PHP_BIN -n -d extension="$1" -r "echo PHP_VERSION, extension_loaded(\"shmqueue\") ? \" loaded\" : \" not loaded\";"' _ "$so" 2>&1)"

    t=$(seconds_now)
    where "$version" SO="$so" COPY="$work/phpt-$version" REPO_ROOT="$REPO_ROOT" bash -c '
        run_tests=$(ls "$(dirname "$(command -v "$PHP_BIN")")"/../lib/php/build/run-tests.php /usr/lib/php/*/build/run-tests.php 2>/dev/null | head -1)
        rm -rf "$COPY" && cp -r "$REPO_ROOT/php-tests" "$COPY"
        TEST_PHP_EXECUTABLE="$PHP_BIN" NO_INTERACTION=1 "$PHP_BIN" "$run_tests" -q --show-diff -d extension="$SO" -j2 "$COPY"
    ' >"$logs/phpt-$version.log" 2>&1
    relay_phpt "$version" "$logs/phpt-$version.log"
    echo "     ($version phpt: $(seconds_since "$t") s)"

    t=$(seconds_now)
    where "$version" SHMQUEUE_SO="$so" bash "$REPO_ROOT/tests/compat/run.sh" >"$logs/compat-$version.log" 2>&1
    relay_suite "$version compat" "$logs/compat-$version.log" $?
    echo "     ($version compat: $(seconds_since "$t") s)"

    # php-fpm of that version (the ZTS build has none: threaded servers embed PHP instead).
    if [ "$version" != zts ]; then
        t=$(seconds_now)
        where "$version" SHMQUEUE_SO="$so" FPM_BIN="/usr/sbin/php-fpm$version" bash "$REPO_ROOT/tests/fpm/run.sh" \
            >"$logs/fpm-$version.log" 2>&1
        relay_suite "$version fpm" "$logs/fpm-$version.log" $?
        echo "     ($version fpm: $(seconds_since "$t") s)"
    fi
    test_frameworks "$version"

    # Chaos at CI length, with the test-hooks build (pause points in the critical section). That
    # build is for this test only, so it skips the release profile's slow whole-program
    # optimisation: it would add minutes per version to a first run.
    t=$(seconds_now)
    if where "$version" CARGO_TARGET_DIR="$work/target-$version-hooks" CARGO_PROFILE_RELEASE_LTO=false \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo build --release --locked --offline -p shmqueue \
        --features test-hooks --manifest-path "$REPO_ROOT/Cargo.toml" >"$logs/build-$version-hooks.log" 2>&1; then
        where "$version" SHMQUEUE_SO="$so" SHMQUEUE_HOOKS_SO="$work/target-$version-hooks/release/libshmqueue.so" \
            bash "$REPO_ROOT/tests/chaos/run.sh" >"$logs/chaos-$version.log" 2>&1
        relay_suite "$version chaos" "$logs/chaos-$version.log" $?
    else
        fail "$version chaos: test-hooks build" "$(grep -E '^error' -A5 "$logs/build-$version-hooks.log" | head -20)"
    fi
    echo "     ($version chaos, its build included: $(seconds_since "$t") s)"

    if [ "$version" == zts ]; then
        t=$(seconds_now)
        where zts bash "$here/threads.sh" "$so" >"$logs/threads.log" 2>&1
        relay_suite "zts threads" "$logs/threads.log" $?
        echo "     (zts threads: $(seconds_since "$t") s)"
    fi
    matrix_install "$version" "$so"
}

for version in $versions; do
    echo "== PHP $version"
    test_version "$version"
done
echo "matrix took $(seconds_since "$started") s (logs in $logs)"
finish
