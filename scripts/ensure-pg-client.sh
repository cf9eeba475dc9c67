#!/bin/sh
# `manage.py backup` and `restore` on PostgreSQL run pg_dump and pg_restore from Debian's
# postgresql-client (make setup calls this when DATABASE_URL is postgres). pg_dump must be at
# least the server's major version: Debian's matches its server.
exec sh "$(dirname "$0")/ensure-packages.sh" \
    /usr/bin/pg_dump=postgresql-client \
    /usr/bin/pg_restore=postgresql-client
