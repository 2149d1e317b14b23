#!/usr/bin/env bash
# Make sure the libraries WeasyPrint renders the concept report's PDF with are installed:
# Pango (with its FreeType backend, HarfBuzz and Cairo come along) and a font.
set -euo pipefail

missing=()
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0; do
    ldconfig -p | grep -q "$lib" || missing+=("$lib")
done
fc-list 2>/dev/null | grep -q . || missing+=("a font")

if ((${#missing[@]} == 0)); then
    echo "ensure-pango: Pango and fonts present"
    exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-pango: installing Debian's libpango-1.0-0, libpangoft2-1.0-0, fonts-dejavu-core"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig >/dev/null
    echo "ensure-pango: installed"
    exit 0
fi

echo "ensure-pango: missing ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install" \
     "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core); the concept report's PDF needs them." >&2
exit 1
