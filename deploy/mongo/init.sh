#!/bin/bash
# Entrypoint of the one-shot `mongo-init` service: runs init.js as root against the mongo
# service (direct connection: before the replica set exists there is no set to discover).
set -euo pipefail

exec mongosh --quiet --norc \
    "mongodb://${MONGO_HOST:-mongo:27017}/admin?directConnection=true" \
    --username root --password "$MONGO_ROOT_PASSWORD" --authenticationDatabase admin \
    /deploy/mongo/init.js
