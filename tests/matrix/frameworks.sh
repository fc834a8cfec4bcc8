# The framework adapters (tests/frameworks) on the Laravel, Symfony and PHPUnit versions Debian
# ships with each matrix PHP: trixie (PHP 8.4): Laravel 10.48, Symfony 6.4, PHPUnit 11; sid (run
# with PHP 8.5): Laravel 13, Symfony 7.4, PHPUnit 13; and Symfony 8.1 from experimental (it needs
# PHP 8.4+), unpacked beside sid's packages and run by the Symfony half of the suite. The host's
# own run (scripts/test.sh) covers bookworm's Laravel 8.83 and Symfony 5.4.
# Sourced by tests/matrix/run.sh after chroot.sh; test_frameworks VERSION runs after that
# version's other suites.

framework_packages=(php-illuminate-queue php-illuminate-events php-illuminate-bus php-illuminate-cache
    php-symfony-messenger php-symfony-event-dispatcher php-symfony-console phpunit)
# phpunit (and symfony/string) pull the default PHP's xml, mbstring and intl; the PHP under test needs its own.
chroot_extra_packages[trixie]="${framework_packages[*]} php8.4-xml php8.4-mbstring php8.4-intl"
chroot_extra_packages[sid]="${framework_packages[*]} php8.5-xml/experimental php8.5-mbstring/experimental php8.5-intl/experimental"
# The newest Symfony, from experimental: unpacked (not installed, sid's 7.4 stays) into
# $MATRIX_CACHE/work and put first on the include path for its run.
symfony_next_packages=(php-symfony-messenger php-symfony-event-dispatcher php-symfony-console)

test_frameworks() { # version
    case $1 in
        8.4) run_frameworks 8.4 "" "" ;;
        8.5)
            run_frameworks 8.5 "" ""
            unpack_symfony_next && run_frameworks 8.5 symfony "$work/symfony-next/usr/share/php"
            ;;
    esac
}

# The versions a run used, as Debian names them ("php-illuminate-queue 13.31.0 ...").
framework_versions() { # version testsuite include_dir
    local packages=(php-illuminate-queue php-symfony-messenger phpunit)
    [ "$2" == symfony ] && packages=(php-symfony-messenger phpunit)
    where "$1" INCLUDE="$3" bash -c '
        dpkg-query -W -f "\${Package} \${Version}\n" "$@" |
            while read -r package version; do
                [ -n "$INCLUDE" ] && [ "$package" == php-symfony-messenger ] &&
                    version=$(cat "$INCLUDE/../../../.version")
                echo -n "$package ${version%%+*} "
            done' _ "${packages[@]}"
}

run_frameworks() { # version testsuite ("" for both) include_dir (first on the include path, or "")
    local version=$1 suite=$2 include=$3 so="$work/target-$1/release/libshmqueue.so" t label versions log
    versions=$(framework_versions "$version" "$suite" "$include")
    label="$version frameworks${suite:+ ($suite)}"
    log="$logs/frameworks-$version${suite:+-$suite}.log"
    t=$(seconds_now)
    where "$version" SHMQUEUE_SO="$so" FRAMEWORKS_TESTSUITE="$suite" FRAMEWORKS_INCLUDE="$include" \
        bash "$REPO_ROOT/tests/frameworks/run.sh" >"$log" 2>&1
    local status=$? result
    result=$(grep -E '^RESULT: ' "$log" | tail -1)
    if [ "$status" -eq 0 ] && [[ $result =~ ^RESULT:\ ([0-9]+)\ passed,\ 0\ failed ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
        pass "$label: ${BASH_REMATCH[1]} PHPUnit tests passed on ${versions% }"
    else
        fail "$label: PHPUnit on ${versions% }" "${result:-no RESULT line} (exit $status)" \
            "$(grep -E '^[0-9]+\) |^(FAILURES|ERRORS)|Tests: ' "$log" | head -20)" "(full log: $log)"
    fi
    echo "     ($label: $(seconds_since "$t") s)"
}

# Symfony's next version from experimental, unpacked once into $work/symfony-next (its version
# in .version); a later run unpacks again only when experimental has moved on. Debian's
# autoloaders find each other by relative paths, so the rest of the chroot's /usr/share/php is
# linked in beside the unpacked components (again on every run: sid's packages change).
unpack_symfony_next() {
    unpack_symfony_next_once || return 1
    where 8.5 ROOT="$work/symfony-next/usr/share/php" bash -c '
        for entry in /usr/share/php/* /usr/share/php/Symfony/*/*; do
            link="$ROOT/${entry#/usr/share/php/}"
            [ -e "$link" ] || [ -L "$link" ] || { mkdir -p "$(dirname "$link")" && ln -s "$entry" "$link"; }
        done' || { fail "8.5 frameworks: sid's PHP libraries linked beside Symfony from experimental"; return 1; }
}

unpack_symfony_next_once() {
    local dir="$work/symfony-next" wanted
    wanted=$(where 8.5 apt-cache madison "${symfony_next_packages[@]}" 2>/dev/null |
        awk -F' *[|] *' '$3 ~ / experimental\// { gsub(/^ +/, "", $1); print $1, $2 }' | sort | tr '\n' ' ')
    if [ -z "$wanted" ]; then
        fail "8.5 frameworks: Symfony from experimental is known to apt" "$(where 8.5 apt-cache madison "${symfony_next_packages[0]}" 2>&1 | tail -5)"
        return 1
    fi
    [ "$(cat "$dir/.packages" 2>/dev/null)" == "$wanted" ] && return 0
    rm -rf "$dir" "$dir.partial" && mkdir -p "$dir.partial"
    if ! where 8.5 DIR="$dir.partial" PACKAGES="${symfony_next_packages[*]}" bash -c '
            set -e
            cd "$DIR"
            for package in $PACKAGES; do apt-get download -q "$package/experimental"; done
            for deb in *.deb; do dpkg -x "$deb" .; done
            dpkg-deb -f php-symfony-messenger_*.deb Version > .version
            rm -f *.deb' >"$logs/symfony-next.log" 2>&1; then
        fail "8.5 frameworks: Symfony from experimental unpacked" "$(tail -5 "$logs/symfony-next.log")"
        return 1
    fi
    echo "$wanted" > "$dir.partial/.packages"
    mv "$dir.partial" "$dir"
}
