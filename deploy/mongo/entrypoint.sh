#!/bin/bash
# Entrypoint of the `mongo` service: refuse a placeholder root password, create the replica-set
# keyfile on first start (in the mongo-config volume), then hand over to the image's own
# docker-entrypoint.sh (which creates the root user on an empty data directory and drops to the
# mongodb user).
set -euo pipefail

keyfile=/data/configdb/keyfile
password="${MONGO_INITDB_ROOT_PASSWORD:-}"

case "${password,,}" in
    "" | change-me | changeme | guest | password | integrationsnetz-dev)
        echo "mongo: MONGO_ROOT_PASSWORD in .env is missing or still a placeholder; refusing to start" >&2
        exit 1
        ;;
esac
if ((${#password} < 16)); then
    echo "mongo: MONGO_ROOT_PASSWORD must have at least 16 characters; refusing to start" >&2
    exit 1
fi

if [ ! -s "$keyfile" ]; then
    echo "mongo: creating the replica-set keyfile $keyfile"
    umask 077
    head -c 756 /dev/urandom | base64 -w 0 >"$keyfile.new"
    mv "$keyfile.new" "$keyfile"
fi
# mongod refuses a keyfile that others can read; the image's entrypoint chowns it to mongodb.
chmod 0400 "$keyfile"

exec docker-entrypoint.sh "$@"
