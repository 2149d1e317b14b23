#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it through
# `executable_path`; a browser download of the test tool's own does not work offline).
set -euo pipefail

for candidate in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
        echo "ensure-chromium: $candidate present"
        exit 0
    fi
done

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-chromium: installing Debian's chromium (about a minute)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    echo "ensure-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
    exit 0
fi

echo "ensure-chromium: no Chromium found. Install it (Debian/Ubuntu: sudo apt-get install chromium)" \
     "or set CHROMIUM=/path/to/chromium; the browser tests need it." >&2
exit 1
