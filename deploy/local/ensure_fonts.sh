#!/bin/sh
# Invoice PDFs embed TrueType fonts for text the PDF's built-in Helvetica cannot draw
# (shared/invoicing/pdf_fonts.py): DejaVu Sans and DejaVu Sans Bold (Latin Extended,
# Vietnamese, Greek, Cyrillic, Hebrew, Arabic) and WenQuanYi Zen Hei (Chinese, Japanese
# kana, Korean Hangul), from Debian's packages — the same ones deploy/Dockerfile installs.
# Install them when we can (root with apt-get); otherwise say loudly what is missing:
# invoices whose text fits Helvetica still render, the others fail with a clear error.
set -u
FONTS_DIR="${CLINICPAY_PDF_FONTS_DIR:-/usr/share/fonts/truetype}"
PACKAGES="fonts-dejavu-core fonts-wqy-zenhei"

missing() {
    for file in dejavu/DejaVuSans.ttf dejavu/DejaVuSans-Bold.ttf wqy/wqy-zenhei.ttc; do
        [ -r "$FONTS_DIR/$file" ] || echo "$FONTS_DIR/$file"
    done
}

[ -z "$(missing)" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && [ "$FONTS_DIR" = "/usr/share/fonts/truetype" ]; then
    echo "ensure_fonts: installing Debian's $PACKAGES for invoice PDFs..."
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null 2>&1 \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null 2>&1; }; then
        [ -z "$(missing)" ] && { echo "ensure_fonts: installed $PACKAGES"; exit 0; }
    fi
    echo "ensure_fonts: apt-get could not install $PACKAGES." >&2
fi

cat >&2 <<MSG
########################################################################
#  WARNING: fonts for invoice PDFs are missing:
$(missing | sed 's/^/#      /')
#  Invoices whose names and text fit the built-in Helvetica still render;
#  one that needs another script (Ł, ễ, Greek, Cyrillic, Hebrew, Arabic,
#  CJK) fails with the error "pdf_fonts_missing". Install them with:
#      sudo apt-get install $PACKAGES
#  or put those files under a folder and set CLINICPAY_PDF_FONTS_DIR to it.
########################################################################
MSG
exit 0
