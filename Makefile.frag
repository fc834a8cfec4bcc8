# Added to phpize's Makefile by config.m4: builds shmqueue with cargo.
#
# cargo knows what changed, so the rule always runs and cargo decides whether to rebuild. The
# library lands in $CARGO_TARGET_DIR (default: target/ in the source tree), then is copied to
# modules/shmqueue.so for `make install`.
$(phplibdir)/shmqueue.so: shmqueue-cargo-always
	@echo "Building shmqueue with $(CARGO) (release; a first build takes a few minutes)"
	cd '$(srcdir)' && \
	PHP_CONFIG='$(SHMQUEUE_PHP_CONFIG)' PHP='$(PHP_EXECUTABLE)' '$(CARGO)' build --release -p shmqueue && \
	$(mkinstalldirs) '$(phplibdir)' && \
	cp "$${CARGO_TARGET_DIR:-target}/release/libshmqueue.so" '$(phplibdir)/shmqueue.so'

.PHONY: shmqueue-cargo-always
shmqueue-cargo-always:

# `make test` runs the extension's own phpt tests against modules/shmqueue.so (phpize's default
# way of naming the modules to load reads libtool .la files, which a cargo build has none of).
TESTS = $(srcdir)/php-tests
PHP_TEST_SHARED_EXTENSIONS = -d extension=shmqueue.so
