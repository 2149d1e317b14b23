#!/usr/bin/env bash
# Make sure axe-core (Deque's accessibility rules engine, from the npm registry) is in
# var/tools/axe: the browser tests inject it into every portal page and require no violation
# of the WCAG 2.1 A/AA rules. The version is pinned here and checked on every run.
set -euo pipefail

VERSION="4.14.1"
PREFIX="var/tools/axe"
SCRIPT="$PREFIX/node_modules/axe-core/axe.min.js"

installed() {
    [[ -f $SCRIPT ]] && grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/axe-core/package.json"
}

if installed; then
    echo "ensure-axe: axe-core $VERSION present ($SCRIPT)"
    exit 0
fi

if ! command -v npm >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "ensure-axe: installing Debian's npm"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    else
        echo "ensure-axe: npm not found. Install Node.js with npm (Debian/Ubuntu: sudo apt-get" \
             "install npm); the accessibility tests take axe-core from the npm registry." >&2
        exit 1
    fi
fi

mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund --no-save --loglevel=error "axe-core@$VERSION" >/dev/null
installed || { echo "ensure-axe: axe-core $VERSION did not install into $PREFIX" >&2; exit 1; }
echo "ensure-axe: installed axe-core $VERSION ($SCRIPT)"
