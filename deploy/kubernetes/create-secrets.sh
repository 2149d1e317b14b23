#!/usr/bin/env bash
# Create the Secrets the manifests refer to, each with its own random value, in the namespace
# (default integrationsnetz). A Secret that exists already is left alone, so running it again
# never changes a password; to change one, delete that Secret (README, "Secrets") and run again.
#
#   deploy/kubernetes/create-secrets.sh                 # create what is missing, in the cluster
#   deploy/kubernetes/create-secrets.sh --dry-run       # print them as YAML, touch nothing
#
# Nothing here is committed or printed in a real run. What the operators derive from these:
# the RabbitMQ topology operator creates each broker account from <user>-rabbitmq; the MongoDB
# operator creates each database user from mongodb-<user>-password and writes the service's
# connection string into mongodb-<service> (read as MONGODB_URL).
set -euo pipefail

NAMESPACE="${NAMESPACE:-integrationsnetz}"
# KEDA runs in its own namespace and reads RABBITMQ_URL too: the broker's full service name
BROKER_HOST="${BROKER_HOST:-rabbitmq.${NAMESPACE}.svc}"
VHOST=integrationsnetz
SERVICES=(directory calendar exchange notifier concept)
dry_run=false
if [[ "${1:-}" == "--dry-run" ]]; then
    dry_run=true
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--dry-run]" >&2
    exit 2
fi

# 48 hex characters: long enough for every minimum, and safe inside a URL without encoding.
random() { openssl rand -hex 24; }

create_secret() { # create_secret NAME --from-literal=KEY=VALUE | --from-file=KEY=PATH ...
    local name="$1"
    shift
    if ! $dry_run && kubectl -n "$NAMESPACE" get secret "$name" >/dev/null 2>&1; then
        echo "create-secrets: $name exists, left as it is"
        return
    fi
    if $dry_run; then
        echo "---"
        kubectl -n "$NAMESPACE" create secret generic "$name" "$@" --dry-run=client -o yaml
    else
        kubectl -n "$NAMESPACE" create secret generic "$name" "$@" >/dev/null
        echo "create-secrets: created $name"
    fi
}

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# The directory's Ed25519 token signing key (PKCS#8 PEM, as `python -m services.directory.tokens
# new-key` writes it); its Deployment copies it into a volume of its own with mode 0600.
openssl genpkey -algorithm ed25519 -out "$workdir/directory-ed25519.pem"
create_secret directory-signing-key --from-file=directory-ed25519.pem="$workdir/directory-ed25519.pem"

create_secret directory-admin --from-literal=ADMIN_PASSWORD="$(random)"
create_secret notifier-signing --from-literal=SIGNING_SECRET="$(random)"
# shared by the exchange (checks the links of match emails) and the notifier (signs them)
create_secret match-feedback --from-literal=MATCH_FEEDBACK_SECRET="$(random)"

# Broker accounts (deploy/rabbitmq/definitions.json): the services' with their URL beside
for user in "${SERVICES[@]}"; do
    password="$(random)"
    create_secret "$user-rabbitmq" --from-literal=username="$user" \
        --from-literal=password="$password" \
        --from-literal=RABBITMQ_URL="amqp://$user:$password@$BROKER_HOST:5672/$VHOST"
done
for user in admin external; do
    create_secret "$user-rabbitmq" --from-literal=username="$user" --from-literal=password="$(random)"
done

# Database users (mongodb/mongodb.yaml): one per service and one for backups
for user in "${SERVICES[@]}" backup; do
    create_secret "mongodb-$user-password" --from-literal=password="$(random)"
done
