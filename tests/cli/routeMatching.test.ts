// Matching an Add-ons Service's OpenAPI document to our route keys by shape alone: documents as
// Swashbuckle writes them (OpenAPI 3, no servers), with a server prefix, in Swagger 2.0, and ones
// where a shape fits twice, so the key is named as not mapped instead of guessed.
import test from "ava";
import { matchAddonRoutes } from "../../provider/cli/doctor/routeMatching";

const multipart = { requestBody: { content: { "multipart/form-data": {} } } };
const json = { requestBody: { content: { "application/json": {} } } };
const zip = { responses: { "200": { content: { "application/zip": {} } } } };

function document(base: string, extra: Record<string, unknown> = {}) {
  return {
    openapi: "3.0.1",
    paths: {
      [`${base}`]: { get: {}, post: multipart },
      [`${base}/{packageId}`]: { get: {}, put: multipart, delete: {} },
      [`${base}/{packageId}/download`]: { get: zip },
      [`${base}/{packageId}/enabled`]: { put: json },
      [`${base}/{packageId}/config`]: { get: {}, put: json, delete: {} },
      [`${base}/{packageId}/parts/{part}/result`]: { put: json },
      "/health": { get: {} },
    },
    ...extra,
  };
}

test("an OpenAPI 3 document without servers: every key, the service's parameter names replaced by ours", (t) => {
  const match = matchAddonRoutes(document("/api/v3/addons"), "https://h:83/addon/swagger/v1/swagger.json", "https://h:83/addon");
  t.deepEqual(match.proposal, {
    addons: "/api/v3/addons",
    addon: "/api/v3/addons/{id}",
    addonConfiguration: "/api/v3/addons/{id}/config",
    addonStatus: "/api/v3/addons/{id}/enabled",
    addonPackage: "/api/v3/addons/{id}/download",
    extensionStatus: "/api/v3/addons/{id}/parts/{name}/result",
  });
  t.deepEqual(match.unmapped, []);
  t.deepEqual(
    match.paths.find((p) => p.path === "/api/v3/addons"),
    { path: "/api/v3/addons", methods: ["GET", "POST"] },
  );
  t.is(match.addonsUrl, undefined);
});

test("a server below tridion:addonsUrl prefixes the paths; one elsewhere is named as the base to use", (t) => {
  const below = matchAddonRoutes(
    document("/items", { servers: [{ url: "/addon/api" }] }),
    "https://h/addon/swagger.json",
    "https://h/addon",
  );
  t.is(below.proposal.addons, "/api/items");
  t.is(below.proposal.extensionStatus, "/api/items/{id}/parts/{name}/result");
  const elsewhere = matchAddonRoutes(
    document("/items", { servers: [{ url: "https://other:8443/svc" }] }),
    "https://h/addon/swagger.json",
    "https://h/addon",
  );
  t.is(elsewhere.addonsUrl, "https://other:8443/svc");
  t.is(elsewhere.proposal.addons, "/items");
});

test("Swagger 2.0 (consumes/produces, basePath) matches the same way", (t) => {
  const doc = {
    swagger: "2.0",
    basePath: "/addon",
    paths: {
      "/packages": { get: {}, post: { consumes: ["multipart/form-data"], parameters: [{ in: "formData", name: "file" }] } },
      "/packages/{id}": { get: {}, put: { consumes: ["multipart/form-data"] }, delete: {} },
      "/packages/{id}/zip": { get: { produces: ["application/zip"] } },
    },
  };
  const match = matchAddonRoutes(doc, "https://h/addon/swagger/v1/swagger.json", "https://h/addon");
  t.like(match.proposal, { addons: "/packages", addon: "/packages/{id}", addonPackage: "/packages/{id}/zip" });
  t.deepEqual(
    match.unmapped.map((u) => u.key).sort(),
    ["addonConfiguration", "addonStatus", "extensionStatus"],
    "what the document lacks is named, not invented",
  );
});

test("two paths of one shape: the key is not mapped, and the reason names both", (t) => {
  const doc = document("/v1/addons");
  (doc.paths as Record<string, unknown>)["/v1/addons/{packageId}/icon"] = { get: {} };
  const tied = matchAddonRoutes(doc, "https://h/addon/swagger.json", "https://h/addon");
  t.is(tied.proposal.addonPackage, "/v1/addons/{id}/download", "a ZIP answer breaks the tie");
  delete ((doc.paths as Record<string, any>)["/v1/addons/{packageId}/download"].get as Record<string, unknown>).responses;
  const ambiguous = matchAddonRoutes(doc, "https://h/addon/swagger.json", "https://h/addon");
  t.is(ambiguous.proposal.addonPackage, undefined);
  t.regex(
    ambiguous.unmapped.find((u) => u.key === "addonPackage")!.why,
    /several paths fit .*\/download, .*\/icon|several paths fit .*\/icon, .*\/download/,
  );
  t.is(ambiguous.proposal.addons, "/v1/addons", "the rest still maps");
});

test("a document without an add-on list maps nothing", (t) => {
  const match = matchAddonRoutes(
    { openapi: "3.0.1", paths: { "/health": { get: {} } } },
    "https://h/addon/swagger.json",
    "https://h/addon",
  );
  t.deepEqual(match.proposal, {});
  t.is(match.unmapped.length, 6);
  t.regex(match.unmapped[0].why, /no path has the shape of the add-on list/);
});
