# A thread-safe (ZTS) PHP 8.2 with the embed SAPI, built once from Debian bookworm's source of
# php8.2 and cached under $MATRIX_CACHE/php-8.2-zts. Sourced by tests/matrix/run.sh.
#   make_zts_php      # builds it unless the cached build matches; sets zts_prefix
MATRIX_CACHE=${MATRIX_CACHE:-/var/cache/shmqueue/matrix}
zts_prefix="$MATRIX_CACHE/php-8.2-zts"

# Only what the suites use: pcntl/posix (phpt), shmop/sysvsem (the original side of compat, shared
# as in Debian: compat loads them with -d extension=). --disable-all keeps the build to a few
# minutes and free of -dev packages.
zts_configure=(--enable-zts --enable-embed --enable-cli --disable-cgi --disable-phpdbg --disable-all
    --enable-pcntl --enable-posix --enable-shmop=shared --enable-sysvsem=shared --enable-ctype
    --enable-tokenizer --enable-filter)

# Fetches Debian bookworm's php8.2 source (upstream tarball plus Debian's patches; bookworm main,
# the version the host runs) with a private apt
# source list, so the host's apt configuration stays as it is.
fetch_php_source() { # dir: unpacks the source into dir/src
    local dir=$1 apt_state="$1/apt"
    mkdir -p "$apt_state/lists/partial" "$apt_state/cache"
    echo "deb-src http://deb.debian.org/debian bookworm main" > "$apt_state/sources.list"
    local apt=(-o Dir::Etc::SourceList="$apt_state/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists="$apt_state/lists" -o Dir::Cache="$apt_state/cache" -o APT::Sandbox::User=root -q)
    apt-get "${apt[@]}" update >/dev/null || return 1
    (cd "$dir" && apt-get "${apt[@]}" source --download-only php8.2 >/dev/null) || return 1
    rm -rf "$dir/src"
    dpkg-source --no-check -x "$dir"/php8.2_*.dsc "$dir/src" >/dev/null
}

# Debian's patches leave @DEBIAN_PHP_API@ in php-config and phpize for its packaging to fill in
# (include/php/20220829/...); a plain `make install` puts everything straight under include/php.
# Debian's phpize also takes libtool's and pkg-config's m4 files from $prefix/share/aclocal,
# /usr/share/aclocal for Debian's own PHP: the same files here (libtool and pkg-config come with
# php8.2-dev). Idempotent, so applied to a cached build too.
debian_paths_to_prefix() {
    local api
    api=$(awk '/^#define PHP_API_VERSION/ { print $3 }' "$zts_prefix/include/php/main/php.h")
    [ -n "$api" ] && sed -i -e 's|/@DEBIAN_PHP_API@||g' -e "s|@DEBIAN_PHP_API@|$api|g" \
        "$zts_prefix/bin/php-config" "$zts_prefix/bin/phpize" &&
        sed -i 's|^aclocaldir=.*|aclocaldir=/usr/share/aclocal|' "$zts_prefix/bin/phpize"
}

make_zts_php() {
    local stamp="$zts_prefix/.shmqueue-matrix" wanted work
    wanted="php8.2 bookworm ${zts_configure[*]}"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" == "$wanted" ] && { debian_paths_to_prefix; return; }
    work="$MATRIX_CACHE/zts-build"
    rm -rf "$zts_prefix" "$work" && mkdir -p "$work" || return 1
    fetch_php_source "$work" || return 1
    (cd "$work/src" && ./configure --prefix="$zts_prefix" "${zts_configure[@]}" >"$work/configure.log" 2>&1 \
        && make -j"$(nproc)" >"$work/make.log" 2>&1 && make install >"$work/install.log" 2>&1) \
        || { tail -20 "$work"/*.log; return 1; }
    debian_paths_to_prefix || return 1
    echo "$wanted" > "$stamp"
    rm -rf "$work"
}
