// Role keys to Access Management's accessControlEntry links and back (provider/resources/identity/
// accessControl.ts): granting, what an API held before, putting it back, drift, and errors.
import test from "ava";
import type { ApiResource } from "../../../provider/clients/accessManagement";
import { TridionError } from "../../../provider/errors/tridionError";
import {
  accessOf,
  grantedRoles,
  grantRoles,
  heldRoles,
  originalFromSeen,
  restoreAccess,
  RoleCatalog,
  sameAccess,
} from "../../../provider/resources/identity/accessControl";

// Ids differ per installation: these are deliberately not small or contiguous.
const resources: ApiResource[] = [
  {
    id: 17,
    key: "Tridion.AccessManagement",
    name: "Access Management API",
    roles: [{ id: 117, key: "Tridion.AccessManagement.Administrator", name: "Administrator" }],
  },
  {
    id: 18,
    key: "Tridion.AddonService",
    name: "Add-ons API",
    roles: [
      { id: 118, key: "Tridion.AddonService.Administrator", name: "Administrator" },
      { id: 119, key: "Tridion.AddonService.Service", name: "Service" },
      { id: 120, key: "Tridion.AddonService.ReadOnly", name: "Read only" },
    ],
  },
  {
    id: 19,
    key: "Tridion.ContentManager",
    name: "CM API",
    roles: [{ id: 121, key: "Tridion.ContentManager.Administrator", name: "Administrator" }],
  },
];
const catalog = new RoleCatalog(resources);
const ids = (links: Array<{ id: number }> | null | undefined) => (links ?? []).map((l) => l.id).sort((a, b) => a - b);

test("granting on an empty account adds the API and the role, and records that neither was there", (t) => {
  const { entry, original } = grantRoles(undefined, ["Tridion.AddonService.Administrator"], catalog);
  t.deepEqual(ids(entry.apiResources), [18]);
  t.deepEqual(ids(entry.apiResourceRoles), [118]);
  t.deepEqual(entry.applications, []);
  t.deepEqual(original, { "Tridion.AddonService": { linked: false, role: null } });
  t.deepEqual(grantedRoles(["Tridion.AddonService.Administrator"], original), ["Tridion.AddonService.Administrator"]);
});

test("a role it replaces (one per API) is remembered; other APIs and applications stay as they are", (t) => {
  const held = {
    apiResources: [{ id: 18 }, { id: 19 }],
    apiResourceRoles: [{ id: 120, name: "Read only" }, { id: 121 }],
    applications: [{ id: 205, name: "Experience Space" }],
  };
  const { entry, original } = grantRoles(held, ["Tridion.AddonService.Administrator"], catalog);
  t.deepEqual(ids(entry.apiResources), [18, 19]);
  t.deepEqual(ids(entry.apiResourceRoles), [118, 121], "Administrator replaced ReadOnly; CM untouched");
  t.deepEqual(ids(entry.applications), [205]);
  t.false(JSON.stringify(entry).includes("name"), "links carry ids only");
  t.deepEqual(original, { "Tridion.AddonService": { linked: true, role: "Tridion.AddonService.ReadOnly" } });
  t.deepEqual(ids(restoreAccess(entry, original, catalog).apiResourceRoles), [120, 121], "restore puts ReadOnly back");
  t.deepEqual(grantedRoles(["Tridion.AddonService.Administrator"], original), ["Tridion.AddonService.Administrator"]);
  t.deepEqual(
    grantedRoles(["Tridion.ContentManager.Administrator"], {
      "Tridion.ContentManager": { linked: true, role: "Tridion.ContentManager.Administrator" },
    }),
    [],
    "a role it found is not one it granted",
  );
});

test("a later grant keeps the first original; dropping a managed API restores it, adding one records it", (t) => {
  const first = grantRoles(undefined, ["Tridion.AddonService.Administrator"], catalog);
  const second = grantRoles(first.entry, ["Tridion.AddonService.Service", "Tridion.ContentManager.Administrator"], catalog, first.original);
  t.deepEqual(second.original, {
    "Tridion.AddonService": { linked: false, role: null },
    "Tridion.ContentManager": { linked: false, role: null },
  });
  t.deepEqual(ids(second.entry.apiResourceRoles), [119, 121]);
  const third = grantRoles(second.entry, ["Tridion.ContentManager.Administrator"], catalog, second.original);
  t.deepEqual(ids(third.entry.apiResources), [19], "the Add-ons API link it added is gone again");
  t.deepEqual(ids(third.entry.apiResourceRoles), [121]);
  t.deepEqual(Object.keys(third.original), ["Tridion.ContentManager"]);
});

test("restoring what was linked before keeps the link; an API it never managed is never touched", (t) => {
  const before = { apiResources: [{ id: 18 }], apiResourceRoles: [], applications: [] };
  const { entry, original } = grantRoles(before, ["Tridion.AddonService.Administrator"], catalog);
  const restored = restoreAccess(entry, original, catalog);
  t.deepEqual(ids(restored.apiResources), [18], "the API link was there before: it stays");
  t.deepEqual(ids(restored.apiResourceRoles), []);
  t.true(sameAccess(restored, before));
});

test("drift: the roles held for the managed APIs only, and only with their API linked", (t) => {
  const entry = { apiResources: [{ id: 18 }], apiResourceRoles: [{ id: 120 }, { id: 121 }] };
  t.deepEqual(heldRoles(entry, ["Tridion.AddonService.Administrator"], catalog), ["Tridion.AddonService.ReadOnly"]);
  t.deepEqual(heldRoles(entry, ["Tridion.ContentManager.Administrator"], catalog), [], "a role whose API is not linked grants nothing");
  t.deepEqual(heldRoles(null, ["Tridion.AddonService.Administrator"], catalog), []);
});

test("sameAccess ignores order and applications; an unknown role key is an error naming the roles that exist", (t) => {
  t.true(
    sameAccess(
      { apiResources: [{ id: 18 }, { id: 19 }], apiResourceRoles: [{ id: 118 }], applications: [{ id: 1 }] },
      { apiResources: [{ id: 19 }, { id: 18 }], apiResourceRoles: [{ id: 118 }] },
    ),
  );
  t.false(
    sameAccess(
      { apiResources: [{ id: 18 }], apiResourceRoles: [{ id: 118 }] },
      { apiResources: [{ id: 18 }], apiResourceRoles: [{ id: 119 }] },
    ),
  );
  const unknownRole = t.throws(() => grantRoles(undefined, ["Tridion.AddonService.Owner"], catalog), { instanceOf: TridionError });
  t.is((unknownRole as TridionError).code, "ROLE_UNKNOWN");
  t.regex(
    unknownRole!.message,
    /The roles of Tridion\.AddonService are: Tridion\.AddonService\.Administrator, Tridion\.AddonService\.Service, Tridion\.AddonService\.ReadOnly/,
  );
  const unknownApi = t.throws(() => grantRoles(undefined, ["Tridion.Nope.Administrator"], catalog));
  t.regex(unknownApi!.message, /Its APIs are: Tridion\.AccessManagement, Tridion\.AddonService, Tridion\.ContentManager/);
});

test("accessOf: every API the entry links or holds a role of, with that role; unknown ids are left out", (t) => {
  const entry = {
    apiResources: [{ id: 18 }, { id: 999 }],
    apiResourceRoles: [{ id: 120 }, { id: 121 }, { id: 998 }],
    applications: [{ id: 205 }],
  };
  t.deepEqual(accessOf(entry, catalog), {
    "Tridion.AddonService": { linked: true, role: "Tridion.AddonService.ReadOnly" },
    "Tridion.ContentManager": { linked: false, role: "Tridion.ContentManager.Administrator" },
  });
  t.deepEqual(accessOf(undefined, catalog), {});
  t.deepEqual(accessOf({ apiResources: [{ id: 17 }] }, catalog), { "Tridion.AccessManagement": { linked: true, role: null } });
});

test("originalFromSeen: where the server holds just the role this update grants and last saw otherwise, what was seen counts", (t) => {
  // Last write saw only the Add-ons API; an update that was killed after its PUT granted CM since.
  const seen = { "Tridion.AddonService": { linked: true, role: "Tridion.AddonService.Administrator" } };
  const managed = { "Tridion.AddonService": { linked: false, role: null } };
  const desired = ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"];
  const killedUpdate = { apiResources: [{ id: 18 }, { id: 19 }], apiResourceRoles: [{ id: 118 }, { id: 121 }] };
  t.deepEqual(originalFromSeen(seen, killedUpdate, desired, managed, catalog), {
    "Tridion.ContentManager": { linked: false, role: null },
  });
  // Managed APIs keep their first original (not part of the result); state without accessSeen knows nothing.
  t.deepEqual(originalFromSeen(seen, killedUpdate, ["Tridion.AddonService.Administrator"], managed, catalog), {});
  t.deepEqual(originalFromSeen(undefined, killedUpdate, desired, managed, catalog), {});
});

test("originalFromSeen: the server is the truth otherwise; a role or link removed by hand since is never given back", (t) => {
  const desired = ["Tridion.ContentManager.Administrator"];
  // Seen: CM linked with a role of its own (as if another one); the role removed by hand since, not granted by us.
  const seen = { "Tridion.ContentManager": { linked: true, role: "Tridion.ContentManager.Viewer" } };
  t.deepEqual(originalFromSeen(seen, { apiResources: [{ id: 19 }] }, desired, {}, catalog), {}, "grantRoles reads the server's entry");
  // Seen linked; our role granted by a lost update, the link removed by hand meanwhile and put back by that update? Only what the server still has.
  const seenLinked = { "Tridion.ContentManager": { linked: true, role: null } };
  const held = { apiResources: [{ id: 19 }], apiResourceRoles: [{ id: 121 }] };
  t.deepEqual(originalFromSeen(seenLinked, held, desired, {}, catalog), { "Tridion.ContentManager": { linked: true, role: null } });
  t.deepEqual(
    originalFromSeen(seenLinked, { apiResourceRoles: [{ id: 121 }] }, desired, {}, catalog),
    { "Tridion.ContentManager": { linked: false, role: null } },
    "unlinked on the server: not linked before either",
  );
  // The account held this very role when last seen: nothing to tell apart.
  const seenHeld = { "Tridion.ContentManager": { linked: true, role: "Tridion.ContentManager.Administrator" } };
  t.deepEqual(originalFromSeen(seenHeld, held, desired, {}, catalog), {});
});

test("after a killed update, the next grant with the seen original puts only the account's own roles back on removal", (t) => {
  const created = grantRoles(undefined, ["Tridion.AddonService.Administrator"], catalog);
  const seen = accessOf(created.entry, catalog);
  const desired = ["Tridion.AddonService.Administrator", "Tridion.ContentManager.Administrator"];
  // The killed update's PUT reached the server: CM is held, but state still has the create's view.
  const onServer = grantRoles(created.entry, desired, catalog, created.original).entry;
  const original = { ...originalFromSeen(seen, onServer, desired, created.original, catalog), ...created.original };
  const rerun = grantRoles(onServer, desired, catalog, original);
  t.deepEqual(grantedRoles(desired, rerun.original), desired, "both roles count as this resource's");
  const restored = restoreAccess(rerun.entry, rerun.original, catalog);
  t.deepEqual(ids(restored.apiResourceRoles), [], "destroy leaves nothing of ours");
});
