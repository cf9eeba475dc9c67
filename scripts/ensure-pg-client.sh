#!/bin/sh
# `manage.py backup` and `restore` on PostgreSQL run pg_dump and pg_restore from Debian's
# postgresql-client. Installs it when missing (make setup calls this when DATABASE_URL is
# postgres). pg_dump must be at least the server's major version: Debian's matches its server.
set -e
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing Debian packages: postgresql-client"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-client >/dev/null
