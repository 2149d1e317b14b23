#!/usr/bin/env bash
# Make sure poppler's pdftoppm is installed: a test renders the concept report's PDF to an
# image with it and checks that the page (and its chart) is not blank.
set -euo pipefail

if command -v pdftoppm >/dev/null; then
    echo "ensure-poppler: $(command -v pdftoppm) present"
    exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-poppler: installing Debian's poppler-utils"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
    echo "ensure-poppler: installed $(command -v pdftoppm)"
    exit 0
fi

echo "ensure-poppler: pdftoppm not found. Install it (Debian/Ubuntu: sudo apt-get install" \
     "poppler-utils); the report's PDF test needs it." >&2
exit 1
