#!/bin/sh
# compilemessages runs msgfmt from Debian's gettext package.
exec sh "$(dirname "$0")/ensure-packages.sh" /usr/bin/msgfmt=gettext
