#!/bin/sh
# The portal's browser tests drive the system's Chromium (Debian's `chromium` package)
# through Playwright; `playwright install` is never used (it downloads its own browser).
# Install Chromium when we can (root with apt-get); otherwise say loudly that the
# browser tests will be skipped (or fail, under CI=true).
set -u
CHROMIUM="${CLINICPAY_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM is missing; installing Debian's chromium (this takes a while)..."
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
        && [ -x "$CHROMIUM" ]; then
        echo "ensure_chromium: installed $($CHROMIUM --version 2>/dev/null)"
        exit 0
    fi
    echo "ensure_chromium: apt-get could not install chromium." >&2
fi

cat >&2 <<MSG
########################################################################
#  WARNING: Chromium not found at $CHROMIUM
#  The portal's browser tests (tests/browser, marker "browser") will be
#  SKIPPED, or FAIL under CI=true. Install it with:
#      sudo apt-get install chromium
#  or point CLINICPAY_CHROMIUM at a Chromium binary.
########################################################################
MSG
exit 0
