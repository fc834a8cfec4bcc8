#!/usr/bin/env bash
# The one list of Debian packages that building, the demo, every test suite and the benchmark
# need, installed in one go before anything else runs (a package installed half-way through a
# run is missed by whatever copied PHP's ini directory earlier). Idempotent: installs only the
# missing ones. Usage: scripts/deps.sh [fresh-machine]
#   fresh-machine: also what scripts/fresh-machine.sh needs (not part of the tests)
set -euo pipefail
packages=(
    # build: PHP headers (phpize, php-config), bindgen's libclang, make for the phpize/PIE build
    php8.2-dev php8.2-cli make clang libclang-dev git
    # php-fpm suites and the mail demo's pool, talked to with cgi-fcgi
    php8.2-fpm libfcgi-bin
    # the Redis forwarder example and the benchmark's Redis peer
    redis-server php8.2-redis
    # the benchmark's article peer: a MariaDB (InnoDB) table polled with SKIP LOCKED, its server
    # started privately by bench/run.sh (own datadir and socket, never the system service)
    mariadb-server php8.2-mysql
    # the framework adapters' suites: Laravel's and Symfony's workers, PHPUnit and its modules
    php-illuminate-queue php-illuminate-events php-illuminate-bus
    php-symfony-messenger php-symfony-event-dispatcher php-symfony-console
    phpunit php8.2-mbstring php8.2-xml
    # leaks suite and bench/profile.sh; runuser for the permission suites; the benchmark's plots
    valgrind linux-perf util-linux gnuplot-nox
    # the dashboard's browser suite: Debian's Chromium, driven by playwright-core (npm, below)
    chromium fonts-dejavu-core
    # the PHP version matrix (tests/matrix): chroots of newer Debian suites for PHP 8.4 and 8.5,
    # a thread-safe PHP built from Debian's source, and its embed-SAPI thread driver
    debootstrap gcc libc6-dev dpkg-dev xz-utils
)
# Node.js and npm from Debian only where the machine has none of its own (machines of this
# project's kind ship one; Debian's npm would fight it).
command -v npm >/dev/null || packages+=(nodejs npm)
case "${1:-}" in
    "") ;;
    fresh-machine) ;;  # the chroot of the quick start's check needs nothing more (debootstrap)
    *) echo "usage: bash scripts/deps.sh [fresh-machine]" >&2; exit 1 ;;
esac
missing=()
for package in "${packages[@]}"; do
    [ "$(dpkg-query -W -f '${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# playwright-core drives Debian's Chromium (it brings no browser of its own); kept outside the
# repository, where tests/dashboard looks for it. 1.61: the newest that runs on Debian 12's
# Node.js 18 (later ones need Node.js 20 and refuse to start).
node_dir=/var/cache/shmqueue/node
if [ ! -d "$node_dir/node_modules/playwright-core" ]; then
    mkdir -p "$node_dir"
    (cd "$node_dir" && npm install --no-audit --no-fund --silent playwright-core@1.61 >/dev/null)
fi
command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 1; }
