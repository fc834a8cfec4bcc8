# The install suite of the matrix. Sourced by tests/matrix/run.sh (uses its where, $logs, $work).
#  - 8.4, 8.5: tests/install/run.sh in that version's chroot, as root there: scripts/install.sh
#    into Debian's php8.x (its extension dir, mods-available, phpenmod), a php-fpm8.x of that
#    version started by the suite and reloaded by install.sh (SIGUSR2 to the pid file the suite
#    names: a chroot has no systemd), uninstall.sh, then the PIE build (phpize8.x) in a clean copy.
#    scripts/install.sh builds into the matrix's target dir of that version (the repository is
#    read-only there), so the extension it installs is the one the other suites tested.
#  - zts: the ZTS PHP is a plain `make install` under $zts_prefix, no Debian packaging to install
#    into, so only the PIE build against it (tests/install/pie.sh with its php-config), which is
#    what composer.json's "support-zts" promises.
# The crates come from the host's registry, read-only: cargo runs offline. The PIE builds share
# the target dir of that version's release build (same profile, same PHP and php-config, so the
# dependencies are built once: on a fresh machine a third cold build per version cost minutes);
# only the copy's own crates are compiled again.
matrix_install() { # version so
    local version=$1 so=$2 t log="$logs/install-$1.log"
    t=$(seconds_now)
    if [ "$version" == zts ]; then
        where zts SHMQUEUE_SO="$so" PHP_CONFIG_BIN="$zts_prefix/bin/php-config" CARGO_NET_OFFLINE=true \
            SHMQUEUE_PIE_TARGET_DIR="$work/target-zts" bash "$REPO_ROOT/tests/install/pie.sh" >"$log" 2>&1
    else
        # The chroots are kept between runs: an install a killed run left there goes first, or
        # the suite would take it for the user's and put it back afterwards.
        where "$version" SHMQUEUE_PHP_VERSION="$version" bash "$REPO_ROOT/scripts/uninstall.sh" \
            >"$logs/uninstall-$version.log" 2>&1
        where "$version" SHMQUEUE_SO="$so" SHMQUEUE_PHP_VERSION="$version" CARGO_NET_OFFLINE=true \
            SHMQUEUE_PIE_TARGET_DIR="$work/target-$version" bash "$REPO_ROOT/tests/install/run.sh" >"$log" 2>&1
    fi
    relay_suite "$version install" "$log" $?
    echo "     ($version install: $(seconds_since "$t") s)"
}
