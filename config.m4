dnl The phpize build of shmqueue, as PIE runs it: phpize && ./configure && make && make install.
dnl
dnl shmqueue is written in Rust, so there is no C to compile: configure finds cargo and the PHP
dnl to build against, and Makefile.frag builds the extension with cargo and puts it where phpize's
dnl Makefile expects a module, modules/shmqueue.so, which `make install` copies to the extension
dnl directory of that PHP (honouring INSTALL_ROOT).

PHP_ARG_ENABLE([shmqueue],
  [whether to enable shmqueue],
  [AS_HELP_STRING([--enable-shmqueue],
    [Build shmqueue, the shared-memory queue (needs cargo, the Rust toolchain) [default=yes]])],
  [yes])

if test "$PHP_SHMQUEUE" != "no"; then
  dnl rustup installs cargo in ~/.cargo/bin, which a sudo or a fresh shell may not have in PATH.
  AC_PATH_PROG([CARGO], [cargo], [no], [$PATH$PATH_SEPARATOR$HOME/.cargo/bin])
  if test "$CARGO" = "no"; then
    AC_MSG_ERROR([cargo was not found: shmqueue is written in Rust. Install a Rust toolchain (rustup, or your distribution's cargo package) and run configure again.])
  fi
  AC_MSG_CHECKING([cargo version])
  SHMQUEUE_CARGO_VERSION=`"$CARGO" --version 2>/dev/null`
  if test -z "$SHMQUEUE_CARGO_VERSION"; then
    AC_MSG_ERROR([$CARGO --version failed: the Rust toolchain is not usable])
  fi
  AC_MSG_RESULT([$SHMQUEUE_CARGO_VERSION])

  dnl ext-php-rs reads the PHP to build against from $PHP_CONFIG and $PHP: the ones configure was
  dnl given (--with-php-config), not whatever php comes first in PATH.
  AC_MSG_CHECKING([for the php-config cargo builds against])
  SHMQUEUE_PHP_CONFIG=`command -v "$PHP_CONFIG" 2>/dev/null`
  if test -z "$SHMQUEUE_PHP_CONFIG"; then
    AC_MSG_ERROR([cannot find $PHP_CONFIG])
  fi
  AC_MSG_RESULT([$SHMQUEUE_PHP_CONFIG (PHP `"$SHMQUEUE_PHP_CONFIG" --version`)])

  if test "$ext_shared" = "no"; then
    AC_MSG_ERROR([shmqueue can only be built as a shared extension (phpize)])
  fi

  dnl The module phpize's Makefile builds (all) and installs (install-modules).
  PHP_MODULES="$PHP_MODULES \$(phplibdir)/shmqueue.so"
  PHP_SUBST(CARGO)
  PHP_SUBST(SHMQUEUE_PHP_CONFIG)
  PHP_ADD_MAKEFILE_FRAGMENT([$abs_srcdir/Makefile.frag], [$abs_srcdir], [$abs_builddir])
fi
