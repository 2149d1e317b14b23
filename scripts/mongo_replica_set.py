"""Make a fresh `mongod --replSet NAME` a single-node replica set and wait until it is primary.

    .venv/bin/python -m scripts.mongo_replica_set mongodb://mongo:27017/?directConnection=true

The CI definitions (.gitlab-ci.yml, .github/workflows/ci.yml) start MongoDB 8 as a service with
`--replSet rs0` and run this before the suite, as `deploy/mongo/init.js` does for compose. The
member is named `localhost:27017`: a name that the server resolves to itself whatever the CI
network calls it, which is why the suite connects with `directConnection=true` (a client that
discovered the set would try `localhost` itself). Idempotent: an initiated set is left alone.
"""

from __future__ import annotations

import argparse
import time

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

NOT_YET_INITIALIZED = 94
ALREADY_INITIALIZED = 23


def initiate(url: str, replica_set: str, member: str, wait_seconds: float) -> str:
    """Initiate the set if needed; return once the node is the writable primary."""
    deadline = time.monotonic() + wait_seconds
    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=2000)
    try:
        while True:
            try:
                status = client.admin.command("replSetGetStatus")
                if client.admin.command("hello").get("isWritablePrimary"):
                    return f"replica set {status['set']} is ready"
            except OperationFailure as error:
                if error.code != NOT_YET_INITIALIZED:
                    raise
                config = {"_id": replica_set, "members": [{"_id": 0, "host": member}]}
                try:
                    client.admin.command("replSetInitiate", config)
                except OperationFailure as initiate_error:  # a second caller was first
                    if initiate_error.code != ALREADY_INITIALIZED:
                        raise
            except PyMongoError:
                pass  # not up yet
            if time.monotonic() > deadline:
                raise SystemExit(f"{url}: no writable primary within {wait_seconds:.0f} s")
            time.sleep(1)
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("url", help="the server, e.g. mongodb://mongo:27017/?directConnection=true")
    parser.add_argument("--replica-set", default="rs0")
    parser.add_argument("--member", default="localhost:27017")
    parser.add_argument("--wait-seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    print(initiate(args.url, args.replica_set, args.member, args.wait_seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
