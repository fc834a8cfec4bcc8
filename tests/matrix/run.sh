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
source "$here/setup.sh"
source "$here/relay.sh"
source "$here/install.sh"
started=$(seconds_now)

if ! matrix_can_run; then
    fail "runs as root with debootstrap" "expected: uid 0 and debootstrap (apt-get install debootstrap)" \
        "came:     uid $(id -u), debootstrap: $(command -v debootstrap || echo missing)"
    finish
fi
fetch_crates || fail "host: cargo fetch" "$(tail -5 "$logs/fetch.log")"

# The setups are independent and mostly wait on the network (chroots) or the CPU (ZTS build):
# made side by side, each logging to its own file; each first waits for an early start
# (tests/matrix/prepare.sh) of the same setup.
declare -A preparing
for version in $matrix_versions; do
    (wait_for_setup "$version" && set_up_php "$version") &
    preparing[$version]=$!
done
at_exit 'kill $(jobs -p)'   # a run stopped half-way leaves no setup running on (only live jobs)

test_version() { # version
    local version=$1 so="$work/target-$1/release/libshmqueue.so" t
    t=$(seconds_now)
    if ! wait "${preparing[$version]}"; then
        fail "$version: PHP set up (chroot or ZTS build)" "$(tail -15 "$logs/prepare-$version.log")"
        return
    fi
    pass "$version: PHP set up ($(seconds_since "$t") s waited)"
    t=$(seconds_now)
    if ! build_release "$version"; then
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

    # Chaos at CI length, with the test-hooks build (tests/matrix/setup.sh).
    t=$(seconds_now)
    if build_hooks "$version"; then
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

for version in $matrix_versions; do
    echo "== PHP $version"
    test_version "$version"
done
echo "matrix took $(seconds_since "$started") s (logs in $logs)"
finish
