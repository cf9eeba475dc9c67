#!/bin/sh
# compilemessages runs msgfmt from Debian's gettext package. Installs it when missing.
set -e
[ -x /usr/bin/msgfmt ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing Debian packages: gettext"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gettext >/dev/null
