// The identity mappers: Access Management's users and service accounts as state (flatten), the
// request bodies made from them (expand: only writable fields), secrets' status and rotation.
import test from "ava";
import { serviceAccountBody, userUpdateBody, type User } from "../../../provider/clients/accessManagement";
import { rotationReasons, secretStatus } from "../../../provider/resources/identity/clientSecrets";
import { issuedSecretState, serviceAccountState, userState } from "../../../provider/resources/identity/identityState";

const user: User = {
  id: 7,
  name: "addon-deployer",
  email: null,
  subject: "sub-1",
  identityProvider: { id: 301, name: "Entra ID" },
  identityProviderKey: "EntraId",
  clientId: "c-1",
  isEnabled: undefined,
  createdAt: "2026-01-01T00:00:00Z",
  lastLoginAt: null,
  clientSecrets: [{ id: 3, clientSecret: "********", expiresAt: "2027-01-01T00:00:00Z" }],
  accessControlEntry: { apiResources: [{ id: 18, name: "Add-ons API" }], apiResourceRoles: [], applications: [{ id: 205, name: "ES" }] },
};

test("a user's PUT body: the writable fields, what the identity provider owns unchanged, no read-only field", (t) => {
  const body = userUpdateBody(user, {
    apiResources: [{ id: 18, name: "x" }],
    apiResourceRoles: [{ id: 118 }],
    applications: [{ id: 205, name: "ES" }],
  });
  t.deepEqual(body, {
    name: "addon-deployer",
    email: null,
    language: null,
    region: null,
    subject: "sub-1",
    identityProvider: { id: 301 },
    identityProviderKey: "EntraId",
    isEnabled: true,
    accessControlEntry: { apiResources: [{ id: 18 }], apiResourceRoles: [{ id: 118 }], applications: [{ id: 205 }] },
  });
  for (const readOnly of ["id", "createdAt", "modifiedAt", "clientId", "lastLoginAt", "clientSecrets"]) t.false(readOnly in body, readOnly);
  t.false(userUpdateBody({ ...user, isEnabled: false }, {}).isEnabled as boolean, "a deactivated user stays deactivated");
});

test("a service account's body: the clientId only when there is one", (t) => {
  t.deepEqual(serviceAccountBody("pipeline", null, {}), {
    name: "pipeline",
    accessControlEntry: { apiResources: [], apiResourceRoles: [], applications: [] },
  });
  t.deepEqual(serviceAccountBody("pipeline", "cid", {}).clientId, "cid");
});

test("flatten: a user's and a service account's own fields; absent values never become undefined keys", (t) => {
  t.deepEqual(userState(user), { userName: "addon-deployer", identityProviderKey: "EntraId", userEnabled: true });
  t.deepEqual(userState({ ...user, email: "a@b.c", isEnabled: false }), {
    userName: "addon-deployer",
    identityProviderKey: "EntraId",
    email: "a@b.c",
    userEnabled: false,
  });
  t.deepEqual(serviceAccountState({ id: 5, name: "pipeline", clientId: null }), { accountName: "pipeline" });
  t.deepEqual(issuedSecretState({ id: 9, value: "v", expiresAt: "2027-01-01T00:00:00Z", clientId: "c" }), {
    clientId: "c",
    clientSecret: "v",
    secretId: 9,
    secretExpiresAt: "2027-01-01T00:00:00Z",
    secretStatus: "active",
  });
});

test("a secret's status among the account's: none, revoked (gone), expired (still there), active", (t) => {
  const secrets = [
    { id: 1, expiresAt: "2000-01-01T00:00:00Z" },
    { id: 2, expiresAt: "2999-01-01T00:00:00Z" },
  ];
  t.deepEqual(secretStatus(secrets, undefined), { state: "none" });
  t.deepEqual(secretStatus(secrets, 3), { state: "revoked" });
  t.is(secretStatus(secrets, 1).state, "expired");
  t.is(secretStatus(secrets, 2).state, "active");
});

test("rotation: every reason, and none for a healthy secret", (t) => {
  const now = Date.parse("2026-06-01T00:00:00Z");
  const healthy = { secretId: 1, secretStatus: "active", secretExpiresAt: "2026-12-01T00:00:00Z", secretExpiresInDays: 365 };
  t.deepEqual(rotationReasons(healthy, { secretExpiresInDays: 365 }, now), []);
  t.deepEqual(rotationReasons({ secretStatus: "none" }, {}, now), ["no client secret has been issued yet"]);
  t.deepEqual(rotationReasons({ secretStatus: "revoked" }, {}, now), ["the client secret was revoked"]);
  t.deepEqual(rotationReasons({ ...healthy, secretStatus: "expired" }, { secretExpiresInDays: 365 }, now), [
    "the client secret has expired",
  ]);
  t.deepEqual(rotationReasons(healthy, { secretExpiresInDays: 365, secretVersion: 2 }, now), ["secretVersion changed"]);
  t.deepEqual(rotationReasons(healthy, { secretExpiresInDays: 90 }, now), ["secretExpiresInDays changed"]);
  t.deepEqual(rotationReasons({ ...healthy, secretExpiresAt: "2026-06-20T00:00:00Z" }, { secretExpiresInDays: 365 }, now), [
    "the client secret expires within 30 days (2026-06-20T00:00:00Z)",
  ]);
  t.deepEqual(
    rotationReasons({ ...healthy, secretExpiresAt: "2026-06-20T00:00:00Z" }, { secretExpiresInDays: 365, rotateBeforeDays: 10 }, now),
    [],
    "rotateBeforeDays moves the threshold",
  );
});
