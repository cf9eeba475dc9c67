#!/bin/sh
# Installs the Debian packages a step needs, when they are missing. Each argument is
# PATH=PACKAGE (the package is missing when nothing is at PATH) or fonts-zh=PACKAGE (no font
# for Chinese known to fontconfig). Never lets a tool download anything of its own.
set -e
missing=""
for pair in "$@"; do
    what=${pair%%=*}
    package=${pair#*=}
    case " $missing " in *" $package "*) continue ;; esac
    case "$what" in
        fonts-zh) fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing $package" ;;
        *) [ -e "$what" ] || missing="$missing $package" ;;
    esac
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing Debian packages:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
