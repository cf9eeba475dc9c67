#!/bin/sh
# Browser tests drive Debian's Chromium; CJK fonts make screenshots and PDFs readable;
# pdftotext (poppler-utils) lets the tests read the PDFs Concord generates.
exec sh "$(dirname "$0")/ensure-packages.sh" \
    /usr/bin/chromium=chromium \
    /usr/bin/chromedriver=chromium-driver \
    fonts-zh=fonts-wqy-microhei \
    /usr/bin/pdftotext=poppler-utils
