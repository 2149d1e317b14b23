// One-shot set-up run by the `mongo-init` service (mongosh, logged in as root) at every
// `docker compose up`; idempotent:
//   1. initiate the single-node replica set (once),
//   2. wait until this node is the writable primary,
//   3. create or update one user per service with readWrite on that service's database only.
// Passwords come from the environment (MONGO_<SERVICE>_PASSWORD); changing one in .env and
// running `docker compose up -d` again updates the user.

const replicaSet = process.env.MONGO_REPLICA_SET || "rs0";
const memberHost = process.env.MONGO_MEMBER_HOST || "mongo:27017";
const services = (process.env.MONGO_SERVICES || "directory calendar exchange notifier concept")
  .split(/\s+/)
  .filter((name) => name.length > 0);
const weak = ["", "change-me", "changeme", "guest", "password", "integrationsnetz-dev"];
const urlSafe = /^[A-Za-z0-9._~-]+$/;

function passwordFor(service) {
  const variable = `MONGO_${service.toUpperCase()}_PASSWORD`;
  const value = process.env[variable] || "";
  if (weak.includes(value.toLowerCase())) {
    throw new Error(`${variable} in .env is missing or still a placeholder`);
  }
  if (value.length < 16) {
    throw new Error(`${variable} must have at least 16 characters`);
  }
  if (!urlSafe.test(value)) {
    throw new Error(`${variable} may only hold letters, digits and . _ ~ - (it goes into a URL)`);
  }
  return value;
}

function replicaSetStatus() {
  try {
    return db.adminCommand({ replSetGetStatus: 1 });
  } catch (error) {
    return { ok: 0, code: error.code, codeName: error.codeName, errmsg: error.message };
  }
}

function ensureReplicaSet() {
  const status = replicaSetStatus();
  if (status.ok === 1) {
    print(`mongo-init: replica set ${status.set} is initiated`);
    return;
  }
  if (status.code !== 94 && status.codeName !== "NotYetInitialized") {
    throw new Error(`replSetGetStatus failed: ${status.errmsg}`);
  }
  print(`mongo-init: initiating replica set ${replicaSet} with member ${memberHost}`);
  const result = db.adminCommand({
    replSetInitiate: { _id: replicaSet, members: [{ _id: 0, host: memberHost }] },
  });
  if (result.ok !== 1) {
    throw new Error(`replSetInitiate failed: ${JSON.stringify(result)}`);
  }
}

function waitForPrimary() {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if (db.hello().isWritablePrimary) {
      return;
    }
    sleep(500);
  }
  throw new Error("this node did not become the writable primary within 60 s");
}

function ensureServiceUsers(passwords) {
  const admin = db.getSiblingDB("admin");
  for (const service of services) {
    const pwd = passwords[service];
    const roles = [{ role: "readWrite", db: `integrationsnetz_${service}` }];
    if (admin.getUser(service) === null) {
      admin.createUser({ user: service, pwd, roles });
      print(`mongo-init: created user ${service} (readWrite on integrationsnetz_${service})`);
    } else {
      admin.updateUser(service, { pwd, roles });
      print(`mongo-init: updated user ${service} (readWrite on integrationsnetz_${service})`);
    }
  }
}

// Check every password before changing anything.
const passwords = Object.fromEntries(services.map((service) => [service, passwordFor(service)]));
ensureReplicaSet();
waitForPrimary();
ensureServiceUsers(passwords);
print("mongo-init: done");
