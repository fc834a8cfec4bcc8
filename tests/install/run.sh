#!/usr/bin/env bash
# Installing shmqueue, both ways a user can:
#  1. scripts/install.sh: afterwards `php -m` lists shmqueue with no -d flag and a queue works, a
#     php-fpm that was already running serves SHMQueue after the install's reload, shmqueue.ini
#     lists exactly the extension's settings with their defaults, a second run changes nothing;
#     scripts/uninstall.sh then leaves no trace (php, php-fpm, files, links, the command).
#  2. The source build PIE runs, in a clean copy of the tree (the files git knows, tracked or
#     not ignored): phpize && ./configure --enable-shmqueue && make && make install
#     INSTALL_ROOT=<temp>, then the installed .so loads and works; composer.json's PHP range and
#     NTS/ZTS claims hold for this PHP (tests/install/pie.sh, which also runs on its own).
# A shmqueue installed before the suite (by the demo, say) is taken away first and put back at the end.
# Needs: php8.2-dev (phpize), php8.2-fpm, libfcgi-bin (cgi-fcgi), git, make, cargo (scripts/deps.sh);
# runs as root. SHMQUEUE_PHP_VERSION=8.4 tests another Debian PHP (php8.4, its php-fpm8.4 and
# phpize8.4; tests/matrix runs it so in a trixie chroot). The build is looked for in
# $CARGO_TARGET_DIR (default target/), where scripts/install.sh builds.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/fpm.sh"

VERSION=${SHMQUEUE_PHP_VERSION:-8.2}
FPM_BIN=/usr/sbin/php-fpm$VERSION
PHP_CONFIG_BIN=php-config$VERSION
php_cli=php$VERSION
built_target=${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release
require_root "the suite installs into the system PHP"
require_commands "$PHP_CONFIG_BIN" "$php_cli" "phpize$VERSION" "$FPM_BIN" cgi-fcgi git make phpenmod

make_temp_dir temp install
chmod 755 "$temp"
extension_dir=$($PHP_CONFIG_BIN --extension-dir)
mods_available=/etc/php/$VERSION/mods-available
ini_file=$mods_available/shmqueue.ini
cli_file=/usr/local/bin/shmqueue
suite_start=$(seconds_now)

# A shmqueue installed before the suite (scripts/demo.sh installs one): kept aside and taken away,
# so that the suite starts from a PHP without it; put back (and re-enabled) at the end.
if [ -e "$ini_file" ] || [ -e "$extension_dir/shmqueue.so" ] || [ -e "$cli_file" ]; then
    mkdir -p "$temp/before"
    for file in "$ini_file" "$extension_dir/shmqueue.so" "$cli_file"; do
        [ -e "$file" ] && cp -a "$file" "$temp/before/"
    done
    echo "note: shmqueue was installed before this suite: taken away now, put back at the end"
    at_exit "[ -e '$temp/before/shmqueue.ini' ] && cp -a '$temp/before/shmqueue.ini' '$ini_file' && phpenmod -v $VERSION -s ALL shmqueue;
        [ -e '$temp/before/shmqueue.so' ] && cp -a '$temp/before/shmqueue.so' '$extension_dir/';
        [ -e '$temp/before/shmqueue' ] && cp -a '$temp/before/shmqueue' '$cli_file'"
    SHMQUEUE_PHP_VERSION=$VERSION bash "$REPO_ROOT/scripts/uninstall.sh" > "$temp/uninstall-before.out" 2>&1
    check "the earlier install is taken away first (uninstall.sh)" 0 "$?" "$(cat "$temp/uninstall-before.out")"
fi
# Whatever happens, the suite's own install does not outlive it.
at_exit "SHMQUEUE_PHP_VERSION=$VERSION bash '$REPO_ROOT/scripts/uninstall.sh'"

# --- 1. scripts/install.sh and scripts/uninstall.sh -------------------------------------------

# A php-fpm that runs across the install, reading the system's ini files like the real service.
queue_fpm="install-fpm-$$"
at_exit "remove_queues '$queue_fpm'"
cat > "$temp/probe.php" <<'EOF'
<?php
// Answers "loaded <value read back>" when shmqueue works in this php-fpm, else "not loaded".
if (!extension_loaded('shmqueue')) {
    exit('not loaded');
}
$queue = new SHMQueue($_GET['q'], 8192);
$queue->enQueue(['from' => 'fpm', 'pid' => getmypid()]);
echo 'loaded ', $queue->deQueue()['from'];
EOF
fpm_request() { fcgi_get "$FPM_DIR/install-test.sock" "$FPM_DIR/probe.php" "q=$queue_fpm"; }
# After a reload (SIGUSR2) the master re-executes itself: wait until it answers as expected.
fpm_answer_becomes() { # expected
    local answer i
    for ((i = 0; i < 50; i++)); do
        answer=$(fpm_request)
        [ "$answer" == "$1" ] && break
        sleep 0.2
    done
    echo "$answer"
}
at_exit fpm_stop
fpm_prepare "$temp/fpm" "" "$temp/probe.php" && fpm_start install-test < <(fpm_pool install-test 1)
check "php-fpm runs without shmqueue before the install" "not loaded" "$(fpm_request)" \
    "fpm output: $(cat "$FPM_DIR/fpm.out" "$FPM_DIR/fpm.log" 2>/dev/null | tail -5)"

install_start=$(seconds_now)
SHMQUEUE_PHP_VERSION=$VERSION SHMQUEUE_FPM_PID_FILE=$FPM_DIR/fpm.pid \
    bash "$REPO_ROOT/scripts/install.sh" > "$temp/install.out" 2>&1
status=$?
echo "install.sh took $(seconds_since "$install_start") s"
check "install.sh succeeds" 0 "$status" "its output:" "$(tail -15 "$temp/install.out")"

check "$php_cli -m (no -d flag) lists shmqueue" shmqueue "$($php_cli -m 2>&1 | grep -x shmqueue)"
queue_cli="install-cli-$$"
at_exit "remove_queues '$queue_cli'"
smoke=$($php_cli -r '
    $q = new SHMQueue($argv[1], 8192);
    $q->enQueue(["smoke" => [1, 2.5, "three"]]);
    echo json_encode($q->deQueue()), " ", var_export($q->deQueue(), true);' "$queue_cli" 2>&1)
check "the installed extension stores and returns a value ($php_cli, no -d flag)" '{"smoke":[1,2.5,"three"]} false' "$smoke"
check "php-fpm$VERSION -m lists shmqueue" shmqueue "$("$FPM_BIN" -m 2>&1 | grep -x shmqueue)"
check "install.sh reloaded the running php-fpm" 1 "$(grep -c "reloaded php$VERSION-fpm (SIGUSR2 to master $FPM_PID)" "$temp/install.out")" \
    "its output:" "$(cat "$temp/install.out")"
check "the running php-fpm serves SHMQueue after the reload" "loaded fpm" "$(fpm_answer_becomes "loaded fpm")" \
    "fpm log: $(tail -5 "$FPM_DIR/fpm.log" 2>/dev/null)"

for sapi in cli fpm; do
    link=/etc/php/$VERSION/$sapi/conf.d/20-shmqueue.ini
    check "$sapi is enabled: $link links to mods-available" "$ini_file" "$(readlink "$link")"
done
check "the .so is in php-config's extension dir" yes \
    "$(cmp -s "$extension_dir/shmqueue.so" "$built_target/libshmqueue.so" && echo yes)"
check "the shmqueue command is installed and runs" "shmqueue $(grep -m1 '^version' "$REPO_ROOT/Cargo.toml" | cut -d'"' -f2)" \
    "$("$cli_file" --version 2>&1 | cut -d' ' -f1-2)"

# shmqueue.ini: the header phpenmod reads, the extension line, then every setting of the
# extension with its default, commented out, each after a line saying what it does.
check "shmqueue.ini's first lines: a comment, Debian's priority, the extension" \
    "; priority=20|extension=shmqueue.so" "$(sed -n '2p;3p' "$ini_file" | paste -sd'|')"
expected_settings=$($php_cli -n -d extension="$extension_dir/shmqueue.so" -r '
    foreach (ini_get_all("shmqueue") as $name => $entry) echo $name, " = ", $entry["global_value"], "\n";' | sort)
written_settings=$(grep -E '^;shmqueue\.' "$ini_file" | sed 's/^;//' | sort)
check "shmqueue.ini lists exactly the extension's settings with their defaults (both ways)" \
    "$expected_settings" "$written_settings"
undescribed=$(awk '/^;shmqueue\./ && previous !~ /^; [A-Z]/ { print $0 } { previous = $0 }' "$ini_file")
check "each setting in shmqueue.ini follows a line saying what it does" "" "$undescribed"
check "the settings are commented out: PHP reads the extension's defaults" \
    "$($php_cli -n -d extension="$extension_dir/shmqueue.so" -r 'echo json_encode(ini_get_all("shmqueue", false));')" \
    "$($php_cli -r 'echo json_encode(ini_get_all("shmqueue", false));')"

SHMQUEUE_PHP_VERSION=$VERSION SHMQUEUE_FPM_PID_FILE=$FPM_DIR/fpm.pid \
    bash "$REPO_ROOT/scripts/install.sh" > "$temp/install2.out" 2>&1
status=$?
check "install.sh run again succeeds" 0 "$status" "$(tail -5 "$temp/install2.out")"
installed_files=3 # the extension, its ini, the command; and the dashboard's unit where systemd is
unit=/etc/systemd/system/shmqueue-serve.service
if [ -d /etc/systemd/system ]; then
    installed_files=4
    check "the dashboard's systemd unit is installed, not enabled" "yes no" \
        "$([ -f "$unit" ] && echo yes || echo no) $([ -e /etc/systemd/system/multi-user.target.wants/shmqueue-serve.service ] && echo yes || echo no)"
fi
check "install.sh run again changes no file ($installed_files unchanged)" "$installed_files 0" \
    "$(grep -c '^  unchanged: ' "$temp/install2.out") $(grep -c '^  \(installed\|updated\): ' "$temp/install2.out")" \
    "its output:" "$(cat "$temp/install2.out")"

SHMQUEUE_PHP_VERSION=$VERSION SHMQUEUE_FPM_PID_FILE=$FPM_DIR/fpm.pid \
    bash "$REPO_ROOT/scripts/uninstall.sh" > "$temp/uninstall.out" 2>&1
status=$?
check "uninstall.sh succeeds" 0 "$status" "$(cat "$temp/uninstall.out")"
check "$php_cli -m no longer lists shmqueue" "" "$($php_cli -m 2>&1 | grep -x shmqueue)"
check "php-fpm$VERSION -m no longer lists shmqueue" "" "$("$FPM_BIN" -m 2>&1 | grep -x shmqueue)"
check "$php_cli starts without a warning about a missing shmqueue" "" "$($php_cli -r '' 2>&1 | grep -i shmqueue)"
check "the running php-fpm no longer has shmqueue after the reload" "not loaded" "$(fpm_answer_becomes "not loaded")"
left=$(ls -d "$ini_file" "$extension_dir/shmqueue.so" "$cli_file" "$unit" /etc/php/"$VERSION"/*/conf.d/*shmqueue* 2>/dev/null)
check "uninstall.sh leaves no file or link behind" "" "$left"
SHMQUEUE_PHP_VERSION=$VERSION bash "$REPO_ROOT/scripts/uninstall.sh" > "$temp/uninstall2.out" 2>&1
status=$?
check "uninstall.sh run again succeeds and says there was nothing to do" "0 1" \
    "$status $(grep -c 'nothing to do' "$temp/uninstall2.out")" "$(cat "$temp/uninstall2.out")"

# --- 2. The PIE source build in a clean copy of the tree ---------------------------------------

source "$here/pie.sh"

echo "suite took $(seconds_since "$suite_start") s"
finish
