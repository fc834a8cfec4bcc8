#!/usr/bin/env bash
# Installs shmqueue into the system's PHP (Debian's php8.x packages), so `php -m` lists it with no
# -d flag, for the CLI and php-fpm alike:
#   1. builds the release extension (scripts/build.sh);
#   2. copies it to `php-config<V> --extension-dir`/shmqueue.so (atomically: running php-fpm
#      workers keep the file they mapped);
#   3. writes /etc/php/<V>/mods-available/shmqueue.ini: the extension= line and every shmqueue.*
#      setting with its default, commented out (defaults read from the extension itself);
#   4. enables it for every SAPI (cli, fpm, ...) with phpenmod, and reloads php<V>-fpm if it runs;
#   5. installs the operator command `shmqueue` (list, stats, peek, serve ...) as /usr/local/bin/shmqueue,
#      and the dashboard's systemd unit shmqueue-serve.service, not enabled.
# Running it again brings everything up to date and says what changed.
#
#   sudo bash scripts/install.sh              PHP version: that of `php` (SHMQUEUE_PHP_VERSION=8.2)
#   sudo bash scripts/install.sh --uninstall  undoes all of it (what scripts/uninstall.sh runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "install: $*" >&2; exit 1; }
say() { echo "  $*"; }

version=${SHMQUEUE_PHP_VERSION:-$(php -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;' 2>/dev/null || true)}
[ -n "$version" ] || die "no php found: install php${SHMQUEUE_PHP_VERSION:-8.2}-cli (or set SHMQUEUE_PHP_VERSION)"
php_config=$(command -v "php-config$version" || true)
mods_available=/etc/php/$version/mods-available
ini_file=$mods_available/shmqueue.ini
fpm_service=php$version-fpm
cli_target=${SHMQUEUE_CLI_DIR:-/usr/local/bin}/shmqueue
unit_target=${SHMQUEUE_UNIT_DIR:-/etc/systemd/system}/shmqueue-serve.service

# Settings written to shmqueue.ini, each with what it does. The defaults are not here: they come
# from the built extension, and a setting it has that is missing here stops the install.
declare -A setting_help=(
    [shmqueue.default_capacity]='Size in bytes of a queue created without an explicit capacity ("1M", "64M", "262144"); at least 4096.'
    [shmqueue.permissions]='Mode of new queues (octal): 0600 is the creating user only; 0660 adds its group.'
    [shmqueue.max_attempts]='Deliveries of a reserved job before it goes to the dead letters, for new queues (1 to 255).'
    [shmqueue.lease]='Default lease of reserve(), in seconds, for new queues: an unacknowledged job is delivered again after it.'
    [shmqueue.default_name]='The queue new SHMQueue() opens; give each site its own where sites share a machine (per pool).'
    [shmqueue.allowed_classes]='Classes stored objects may come back as: empty for any, "none", or a comma-separated list.'
    [shmqueue.trusted_users]='Users (names or uids) besides the process'"'"'s own and root whose queues it opens (php.ini or pool only).'
    [shmqueue.lock_timeout]='Seconds an operation waits for a lock another process holds before it throws naming it (php.ini or pool only).'
    [shmqueue.durable_dir]='Directory of durable queues (new SHMQueue($name, durable: true)), one for the machine (php.ini only).'
    [shmqueue.sync]='When changes of new durable queues reach the disk: always, batch or off (php.ini only; quote "off").'
    [shmqueue.sync_interval]='Seconds within which the batch policy brings changes to the disk, for new durable queues (php.ini only).'
)
# The durable queues' directory, made as /dev/shm is: every user may create queues there (sticky:
# none may delete another's); which queues a process trusts is the extension's check, as in /dev/shm.
durable_dir=/var/lib/shmqueue

# Graceful reload (php-fpm finishes running requests, then starts workers that load the new ini).
# SHMQUEUE_FPM_PID_FILE names the master's pid file of a php-fpm started some other way.
reload_fpm() {
    local pid_file=${SHMQUEUE_FPM_PID_FILE:-/run/php/php$version-fpm.pid} pid
    if [ -z "${SHMQUEUE_FPM_PID_FILE:-}" ] && command -v systemctl >/dev/null &&
        systemctl is-active --quiet "$fpm_service" 2>/dev/null; then
        systemctl reload "$fpm_service" && say "reloaded $fpm_service (systemctl)"
    elif [ -r "$pid_file" ] && pid=$(cat "$pid_file") && kill -0 "$pid" 2>/dev/null; then
        kill -USR2 "$pid" && say "reloaded $fpm_service (SIGUSR2 to master $pid)"
    else
        say "$fpm_service is not running: nothing to reload"
    fi
}

# SAPIs (cli, fpm, ...) of this PHP version for which shmqueue is enabled.
enabled_sapis() {
    local link sapis=()
    for link in /etc/php/"$version"/*/conf.d/*-shmqueue.ini; do
        [ -e "$link" ] && sapis+=("$(basename "$(dirname "$(dirname "$link")")")")
    done
    echo "${sapis[*]:-none}"
}

# Puts $1 at $2 by rename, so a process that has the old file mapped keeps it intact.
replace_file() {
    local source=$1 target=$2 mode=$3
    if [ -f "$target" ] && cmp -s "$source" "$target"; then
        say "unchanged: $target"
        return
    fi
    local verb="installed"
    [ -e "$target" ] && verb="updated"
    install -m "$mode" "$source" "$target.new.$$"
    mv -f "$target.new.$$" "$target"
    say "$verb: $target"
}

# The ini file: header Debian's phpenmod reads (priority), then the settings, commented out.
write_ini() {
    local so=$1 out=$2 defaults name
    defaults=$("php$version" -n -d extension="$so" -r '
        foreach (ini_get_all("shmqueue") as $name => $entry) { echo $name, "\t", $entry["global_value"], "\n"; }')
    [ -n "$defaults" ] || die "the built extension $so does not load in php$version"
    {
        echo "; configuration for php shmqueue module (written by shmqueue's scripts/install.sh)"
        echo "; priority=20"
        echo "extension=shmqueue.so"
        while IFS=$'\t' read -r name default; do
            [ -n "${setting_help[$name]:-}" ] ||
                die "the extension has a setting $name that scripts/install.sh does not describe: add it to setting_help"
            echo
            echo "; ${setting_help[$name]}"
            echo ";$name = $default"
        done <<< "$defaults"
    } > "$out"
}

install_shmqueue() {
    [ -n "$php_config" ] || die "php-config$version not found: install php$version-dev"
    command -v phpenmod >/dev/null || die "phpenmod not found: install php-common (Debian's PHP packaging)"
    [ -d "$mods_available" ] || die "$mods_available does not exist: is php$version installed from Debian's packages?"
    [ -w "$mods_available" ] || die "cannot write $mods_available: run as root (sudo bash scripts/install.sh)"

    echo "building the extension (scripts/build.sh)"
    # ext-php-rs builds against the php-config in PATH; point it at this version only when that
    # differs, so a normal build is not redone for a changed environment.
    if [ "$(php-config --version 2>/dev/null | cut -d. -f1-2)" = "$version" ]; then
        bash "$root/scripts/build.sh" 2>&1 | sed 's/^/  /'
    else
        PHP_CONFIG=$php_config PHP=$("$php_config" --php-binary) bash "$root/scripts/build.sh" 2>&1 | sed 's/^/  /'
    fi
    echo "building the shmqueue command (cargo build --release -p shmqueue-cli)"
    (cd "$root" && cargo build --release -p shmqueue-cli 2>&1 | sed 's/^/  /')
    local target=${CARGO_TARGET_DIR:-$root/target}/release
    local built=$target/libshmqueue.so
    [ -f "$built" ] || die "the build did not produce $built"
    [ -f "$target/shmqueue" ] || die "the build did not produce $target/shmqueue"

    echo "installing shmqueue for PHP $version"
    local extension_dir
    extension_dir=$("$php_config" --extension-dir)
    replace_file "$built" "$extension_dir/shmqueue.so" 0644
    ini_draft=$(mktemp)
    trap 'rm -f "$ini_draft"' EXIT
    write_ini "$extension_dir/shmqueue.so" "$ini_draft"
    replace_file "$ini_draft" "$ini_file" 0644

    if [ ! -d "$durable_dir" ]; then
        install -d -m 1777 "$durable_dir"
        say "made $durable_dir (mode 1777, as /dev/shm) for durable queues"
    fi
    phpenmod -v "$version" -s ALL shmqueue
    say "enabled for: $(enabled_sapis) (phpenmod -v $version -s ALL shmqueue)"
    reload_fpm
    mkdir -p "$(dirname "$cli_target")"
    replace_file "$target/shmqueue" "$cli_target" 0755
    if [ -d "$(dirname "$unit_target")" ]; then
        replace_file "$root/scripts/shmqueue-serve.service" "$unit_target" 0644
        say "the dashboard's unit is installed, not enabled: systemctl enable --now shmqueue-serve"
    fi

    local listed
    listed=$("php$version" -m 2>&1 | grep -x shmqueue || true)
    [ "$listed" = shmqueue ] || die "php$version -m does not list shmqueue after installing; see the lines above"
    echo "done: php$version -m lists shmqueue; settings in $ini_file; 'shmqueue list' shows the queues;"
    echo "      scripts/uninstall.sh removes it all"
}

uninstall_shmqueue() {
    echo "uninstalling shmqueue from PHP $version"
    local did=0 extension_dir=""
    [ -n "$php_config" ] && extension_dir=$("$php_config" --extension-dir)
    if [ -e "$ini_file" ] || [ "$(enabled_sapis)" != none ]; then
        [ -w "$mods_available" ] || die "cannot write $mods_available: run as root (sudo bash scripts/uninstall.sh)"
        # phpdismod needs the ini in mods-available to find the links it removes.
        [ -e "$ini_file" ] || : > "$ini_file"
        phpdismod -v "$version" -s ALL shmqueue
        say "disabled for every SAPI (phpdismod -v $version -s ALL shmqueue)"
        rm -f "$ini_file"
        say "removed: $ini_file"
        did=1
    fi
    if [ -n "$extension_dir" ] && [ -e "$extension_dir/shmqueue.so" ]; then
        rm -f "$extension_dir/shmqueue.so"
        say "removed: $extension_dir/shmqueue.so"
        did=1
    fi
    if [ -e "$unit_target" ]; then
        rm -f "$unit_target"
        say "removed: $unit_target"
        did=1
    fi
    if [ -e "$cli_target" ]; then
        rm -f "$cli_target"
        say "removed: $cli_target"
        did=1
    fi
    if [ "$did" -eq 0 ]; then
        echo "done: shmqueue was not installed for PHP $version; nothing to do"
        return
    fi
    reload_fpm
    echo "done: shmqueue is uninstalled (queues in /dev/shm and $durable_dir are left as they are: remove them with 'shmqueue remove NAME')"
}

case "${1:-}" in
    "") install_shmqueue ;;
    --uninstall) uninstall_shmqueue ;;
    *) die "usage: bash scripts/install.sh [--uninstall]" ;;
esac
