#!/usr/bin/env bash
# The source build PIE runs, in a clean copy of the tree (the files git knows, tracked or not
# ignored): phpize && ./configure --enable-shmqueue && make && make install INSTALL_ROOT=<temp>;
# then the installed .so loads and works, and composer.json's claims hold for this PHP (its
# version is in the "php" range, its kind, NTS or ZTS, is supported).
# Part 2 of tests/install/run.sh, which sources it with PHP_CONFIG_BIN and temp set; on its own it
# checks the build against any PHP, one that is not Debian's packaging (a ZTS PHP, say):
#   PHP_CONFIG_BIN=<prefix>/bin/php-config bash tests/install/pie.sh
# phpize is the one beside php-config (php-config8.4: phpize8.4; bin/php-config: bin/phpize), the
# PHP the one php-config names. Needs: git, make, cargo, and that PHP's phpize.
# SHMQUEUE_PIE_TARGET_DIR=dir: cargo builds there (Makefile.frag honours CARGO_TARGET_DIR) instead
# of in the copy's own target/; tests/matrix keeps one per PHP, so a run rebuilds only this
# project's crates, not every dependency.
if [ "${BASH_SOURCE[0]}" == "$0" ]; then
    set -uo pipefail
    source "$(dirname "$0")/../lib/common.sh"
    : "${PHP_CONFIG_BIN:?PHP_CONFIG_BIN=<php-config of the PHP to build against>}"
    make_temp_dir temp pie
    pie_alone=1
fi
pie_php_config=$(command -v "$PHP_CONFIG_BIN")
pie_phpize=$(dirname "$pie_php_config")/$(basename "$pie_php_config" | sed 's/^php-config/phpize/')
pie_php=$("$pie_php_config" --php-binary)
pie_extension_dir=$("$pie_php_config" --extension-dir)
require_commands "$pie_phpize" "$pie_php" git make cargo

tree=$temp/tree
install_root=$temp/root
mkdir -p "$tree"
(cd "$REPO_ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tree" 2>/dev/null)
present=$(for file in config.m4 Makefile.frag composer.json target modules; do [ -e "$tree/$file" ] && echo -n "$file "; done)
check "the clean copy has config.m4, Makefile.frag and composer.json, and no build output" \
    "config.m4 Makefile.frag composer.json " "$present"

# composer.json's "php" range, as Composer reads it: constraints joined by spaces or commas must
# all hold; only the forms composer.json uses are understood (anything else fails the check).
composer=$("$pie_php" -n -r '
    $c = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
    $range = $c["require"]["php"] ?? "";
    $in = $range !== "";
    foreach (preg_split("/[\s,]+/", trim($range)) as $constraint) {
        if (!preg_match("/^(>=|<=|>|<|==|!=)(\d+(\.\d+)*)$/", $constraint, $m)) { $in = "unreadable: $constraint"; break; }
        $in = $in && version_compare(PHP_VERSION, $m[2], $m[1]);
    }
    $kind = PHP_ZTS ? "zts" : "nts";
    echo $c["type"], " ", $c["php-ext"]["extension-name"], ", in range: ", var_export($in, true),
        ", support-", $kind, ": ", var_export($c["php-ext"]["support-" . $kind] ?? null, true),
        " (PHP ", PHP_VERSION, ", require.php \"", $range, "\")";
    ' "$tree/composer.json" 2>&1)
php_kind=$("$pie_php" -n -r 'echo PHP_ZTS ? "zts" : "nts";')
check "composer.json: type php-ext, extension-name shmqueue, this PHP in its range, support-$php_kind" \
    "php-ext shmqueue, in range: true, support-$php_kind: true" "${composer% (*}" "$composer"

build_start=$(seconds_now)
(
    cd "$tree" || exit 1
    if [ -n "${SHMQUEUE_PIE_TARGET_DIR:-}" ]; then
        export CARGO_TARGET_DIR=$SHMQUEUE_PIE_TARGET_DIR
    else
        unset CARGO_TARGET_DIR # the copy builds in its own target/, as PIE's download would
    fi
    "$pie_phpize" > "$temp/phpize.out" 2>&1 || { echo phpize; exit 1; }
    ./configure --with-php-config="$pie_php_config" --enable-shmqueue > "$temp/configure.out" 2>&1 || { echo configure; exit 1; }
    make > "$temp/make.out" 2>&1 || { echo make; exit 1; }
    make install INSTALL_ROOT="$install_root" > "$temp/make-install.out" 2>&1 || { echo make-install; exit 1; }
) > "$temp/failed-step"
failed_step=$(cat "$temp/failed-step")
echo "PIE source build (phpize, configure, make, make install) for PHP $("$pie_php_config" --version) took $(seconds_since "$build_start") s"
check "phpize && ./configure && make && make install INSTALL_ROOT=... succeed" "" "$failed_step" \
    "last lines of the $failed_step step:" "$(tail -15 "$temp/${failed_step:-make}.out" 2>/dev/null)"

configure_help=$(cd "$tree" && ./configure --help 2>/dev/null)
missing_options=$("$pie_php" -n -r '
    $c = json_decode(file_get_contents($argv[1]), true);
    foreach ($c["php-ext"]["configure-options"] ?? [] as $o) {
        if (!preg_match("/^\s+--" . preg_quote($o["name"], "/") . "\b/m", $argv[2])) echo $o["name"], " ";
    }' "$tree/composer.json" "$configure_help")
check "every configure-option of composer.json is an option of ./configure" "" "$missing_options"
check "make produced modules/shmqueue.so (what PIE looks for)" yes "$([ -f "$tree/modules/shmqueue.so" ] && echo yes)"

built_so=$install_root$pie_extension_dir/shmqueue.so
check "make install put shmqueue.so under INSTALL_ROOT in the extension dir" yes "$([ -f "$built_so" ] && echo yes)"
check "make install left the system's extension dir alone" "" "$(ls "$pie_extension_dir/shmqueue.so" 2>/dev/null)"
queue_pie="install-pie-$$"
at_exit "remove_queues '$queue_pie'"
loaded=$("$pie_php" -n -d extension="$built_so" -r '
    $q = new SHMQueue($argv[1], 8192);
    $q->enQueue(["pie" => true]);
    echo json_encode($q->deQueue()), " ", (new ReflectionExtension("shmqueue"))->getVersion();' "$queue_pie" 2>&1)
check "the .so built by the PIE steps loads and works in PHP $("$pie_php_config" --version)" \
    "{\"pie\":true} $(grep -m1 '^version' "$REPO_ROOT/Cargo.toml" | cut -d'"' -f2)" "$loaded"

[ -n "${pie_alone:-}" ] && finish
