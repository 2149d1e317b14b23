#!/usr/bin/env bash
# Make sure a RabbitMQ broker is reachable for `make up` / `make test`.
#
#   RABBITMQ_URL pointing at another host: only check that its port answers.
#   Otherwise (local broker on 127.0.0.1:5672):
#     1. already running             -> nothing to do
#     2. rabbitmq-server installed   -> start it (rabbitmq-server -detached)
#     3. root with apt-get           -> install Debian's rabbitmq-server, then start it
#     4. else                        -> say what to do, exit 1
# Ends with one line saying what it did.
set -euo pipefail

readonly WAIT_SECONDS="${RABBITMQ_WAIT_SECONDS:-60}"

say() { printf 'ensure-rabbitmq: %s\n' "$*"; }
die() { printf 'ensure-rabbitmq: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# port_open HOST PORT – does HOST:PORT accept a TCP connection (within 3 s)?
port_open() {
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# wait_port HOST PORT SECONDS
wait_port() {
    local deadline=$((SECONDS + $3))
    until port_open "$1" "$2"; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}

# ---- parse RABBITMQ_URL: amqp[s]://user:pass@host:port/vhost -------------------------------
url="${RABBITMQ_URL:-}"
host=127.0.0.1
port=5672
if [[ -n "$url" ]]; then
    scheme="${url%%://*}"
    [[ "$scheme" != "$url" ]] || die "RABBITMQ_URL is not a URL: expected amqp://user:password@host:port/vhost"
    if [[ "$scheme" == amqps ]]; then port=5671; fi
    authority="${url#*://}"
    authority="${authority%%/*}"
    authority="${authority%%\?*}"
    hostport="${authority##*@}"
    if [[ "$hostport" == \[* ]]; then            # [ipv6]:port
        host="${hostport%%]*}"
        host="${host#[}"
        rest="${hostport#*]}"
        if [[ "$rest" == :* && -n "${rest#:}" ]]; then port="${rest#:}"; fi
    else
        host="${hostport%%:*}"
        if [[ "$hostport" == *:* && -n "${hostport#*:}" ]]; then port="${hostport#*:}"; fi
    fi
    if [[ -z "$host" ]]; then host=127.0.0.1; fi
fi

# ---- a broker somewhere else: check only ----------------------------------------------------
case "$host" in
    127.0.0.1 | localhost | ::1) is_local=1 ;;
    *) is_local=0 ;;
esac
if ((is_local == 0)) || [[ "$port" != 5672 ]]; then
    # Not ours to manage (another host, or a local broker on a non-standard port).
    if wait_port "$host" "$port" 15; then
        say "RabbitMQ at $host:$port (from RABBITMQ_URL) is reachable; not managing it"
        exit 0
    fi
    die "RabbitMQ at $host:$port (from RABBITMQ_URL) is not reachable; start that broker or unset RABBITMQ_URL to use a local one"
fi

# ---- local broker ---------------------------------------------------------------------------
# await_startup: the node has finished booting. No rabbitmqctl (e.g. a broker in a container
# with only its port published): the open port has to do.
node_ready() {
    if have rabbitmqctl; then
        rabbitmqctl -q await_startup --timeout "${1:-10}" >/dev/null 2>&1
    else
        return 0
    fi
}

# start_local – start the installed rabbitmq-server in the background and wait for it.
start_local() {
    local out
    # Fails harmlessly when a node is already booting; the waits below tell.
    if ! out="$(rabbitmq-server -detached 2>&1)"; then
        say "rabbitmq-server -detached: ${out:-failed}" >&2
    fi
    wait_port 127.0.0.1 5672 "$WAIT_SECONDS" ||
        die "started rabbitmq-server, but 127.0.0.1:5672 did not open within ${WAIT_SECONDS}s; see /var/log/rabbitmq/ (or \$RABBITMQ_LOG_BASE)"
    node_ready "$WAIT_SECONDS" ||
        die "started rabbitmq-server, but 'rabbitmqctl await_startup' failed; see /var/log/rabbitmq/"
}

if port_open 127.0.0.1 5672; then
    if node_ready 60; then
        say "RabbitMQ already running on 127.0.0.1:5672"
    else
        # Something serves the port, but this machine's rabbitmqctl cannot reach it (other
        # user's Erlang cookie, a container, ...). Starting a second broker could not bind the
        # port anyway, so use it.
        say "127.0.0.1:5672 accepts connections but 'rabbitmqctl await_startup' failed (broker not managed from here?); using it"
    fi
    exit 0
fi

if have rabbitmq-server; then
    start_local
    say "RabbitMQ was not running; started it with 'rabbitmq-server -detached' (127.0.0.1:5672)"
    exit 0
fi

if [[ "$(id -u)" == 0 ]] && have apt-get; then
    say "RabbitMQ is not installed; installing Debian's rabbitmq-server (apt-get) ..." >&2
    # Without systemd (containers) the package's attempt to start the service through
    # invoke-rc.d can fail and break the install: forbid it with a temporary policy-rc.d
    # (the standard Debian mechanism) and start the broker ourselves below.
    policy=/usr/sbin/policy-rc.d
    added_policy=0
    if [[ ! -d /run/systemd/system && ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
        trap 'if ((added_policy)); then rm -f "$policy"; fi' EXIT
    fi
    apt-get update -qq || die "apt-get update failed (see above)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null ||
        die "apt-get install rabbitmq-server failed (see above)"
    if ((added_policy)); then
        rm -f "$policy"
        added_policy=0
    fi
    if ! have rabbitmq-server; then PATH="$PATH:/usr/sbin:/usr/lib/rabbitmq/bin"; fi
    have rabbitmq-server || die "installed the package rabbitmq-server, but no rabbitmq-server command was found"
    # With systemd the package has started the service already.
    if port_open 127.0.0.1 5672 && node_ready 60; then
        say "installed rabbitmq-server (apt-get); the service is running on 127.0.0.1:5672"
        exit 0
    fi
    start_local
    say "installed rabbitmq-server (apt-get) and started it with 'rabbitmq-server -detached' (127.0.0.1:5672)"
    exit 0
fi

die "no RabbitMQ on 127.0.0.1:5672 and none installed. Either install it (Debian/Ubuntu: sudo apt-get install rabbitmq-server, then sudo rabbitmq-server -detached), run one in Docker (docker run -d -p 5672:5672 rabbitmq:4), or set RABBITMQ_URL=amqp://user:password@host:5672/ to a broker you have"
