#!/usr/bin/env bash
# Undoes scripts/install.sh: disables shmqueue for every SAPI (phpdismod), removes its ini from
# mods-available, shmqueue.so from the extension directory and the shmqueue command, and reloads
# php-fpm if it runs. Queues in /dev/shm are left alone. PHP version: as for install.sh.
exec bash "$(dirname "$0")/install.sh" --uninstall
