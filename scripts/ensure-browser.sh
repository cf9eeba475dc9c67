#!/bin/sh
# Browser tests drive Debian's Chromium; CJK fonts make screenshots and PDFs readable;
# pdftotext (poppler-utils) lets the tests read the PDFs Concord generates.
# Installs the Debian packages when missing. Never lets a tool download a browser.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/bin/chromedriver ] || missing="$missing chromium-driver"
fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing fonts-wqy-microhei"
[ -x /usr/bin/pdftotext ] || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing Debian packages:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
