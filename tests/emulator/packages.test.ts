// Every package rejection of issue 2: each is a 400 (or 413) problem whose detail names the cause
// and the fix, and none leaves anything on the server.
import test from "ava";
import { bearer, buildRawZip, buildZip, getToken, http, manifest, packageFiles, startTestEmulator, uploadPackage, type TestEmulator } from "../helpers/emulator";

let emu: TestEmulator;
let token: string;
let addons: string;

test.before(async () => {
  emu = await startTestEmulator({ maxPackageBytes: 256 * 1024 });
  token = await getToken(emu, emu.credentials.admin);
  addons = `${emu.addonsUrl}/api/v1/addons`;
});
test.after.always(async () => {
  await emu?.close();
});

const withManifest = (fields: Record<string, unknown>, drop: string[] = []) => {
  const m = manifest(fields);
  for (const key of drop) delete m[key];
  return buildZip(packageFiles(m));
};
const longId = "a".repeat(256);

const cases: Array<{ title: string; zip: () => Promise<Buffer>; fileName: string; detail: RegExp; status?: number }> = [
  { title: "not a ZIP at all", zip: async () => Buffer.from("this is not a zip file"), fileName: "acme-publishing-tools.zip", detail: /not a valid ZIP/ },
  { title: "a truncated ZIP", zip: async () => (await buildZip(packageFiles())).subarray(0, 100), fileName: "acme-publishing-tools.zip", detail: /not a valid ZIP|corrupt/ },
  { title: "no manifest", zip: () => buildZip({ "CM/x.dll": "x" }), fileName: "acme-publishing-tools.zip", detail: /has no manifest\.json/ },
  { title: "manifest not at the root", zip: () => buildZip({ "acme/manifest.json": JSON.stringify(manifest()) }), fileName: "acme-publishing-tools.zip", detail: /not at the root.*found "acme\/manifest\.json"/ },
  { title: "manifest not valid JSON", zip: () => buildZip({ "manifest.json": '{"id": "acme-publishing-tools",' }), fileName: "acme-publishing-tools.zip", detail: /not valid JSON/ },
  { title: "manifest a JSON array", zip: () => buildZip({ "manifest.json": "[]" }), fileName: "acme-publishing-tools.zip", detail: /must hold a JSON object/ },
  { title: "id missing", zip: () => withManifest({}, ["id"]), fileName: "acme-publishing-tools.zip", detail: /no "id"; the id is mandatory/ },
  { title: "id not a string", zip: () => withManifest({ id: 42 }), fileName: "42.zip", detail: /"id" must be a string/ },
  { title: "id over 255 characters", zip: () => withManifest({ id: longId }), fileName: `${longId}.zip`, detail: /256 characters long; the maximum is 255/ },
  { title: "id with path characters", zip: () => withManifest({ id: "../evil" }), fileName: "evil.zip", detail: /cannot be part of a file name/ },
  { title: "description empty", zip: () => withManifest({ description: "  " }), fileName: "acme-publishing-tools.zip", detail: /"description" must not be empty/ },
  { title: "description missing", zip: () => withManifest({}, ["description"]), fileName: "acme-publishing-tools.zip", detail: /"description" must not be empty/ },
  { title: "bad requireConfiguration", zip: () => withManifest({ requireConfiguration: "maybe" }), fileName: "acme-publishing-tools.zip", detail: /"requireConfiguration" is "maybe"; use "yes", "no" or "optional"/ },
  { title: "extensions not a list", zip: () => withManifest({ extensions: {} }), fileName: "acme-publishing-tools.zip", detail: /"extensions" must be a list/ },
  { title: "extension without a name", zip: () => withManifest({ extensions: [{ type: "CMEventHandler" }] }), fileName: "acme-publishing-tools.zip", detail: /extensions\[0\] has no "name"/ },
  { title: "duplicate extension names", zip: () => withManifest({ extensions: [{ name: "a", type: "UIModel" }, { name: "a", type: "UIModel" }] }), fileName: "acme-publishing-tools.zip", detail: /two extensions are named "a"/ },
  { title: "file name not ID.zip", zip: () => withManifest({}), fileName: "package.zip", detail: /file name "package\.zip" does not match.*acme-publishing-tools-1\.4\.0\.zip/ },
  { title: "file name with a wrong version", zip: () => withManifest({}), fileName: "acme-publishing-tools-9.9.9.zip", detail: /does not match the manifest/ },
  { title: "file name without .zip", zip: () => withManifest({}), fileName: "acme-publishing-tools", detail: /does not match the manifest/ },
  { title: "entry escaping the root with ..", zip: async () => buildRawZip({ ...packageFiles(), "../evil.txt": "x" }), fileName: "acme-publishing-tools.zip", detail: /escape the ZIP root: \.\.\/evil\.txt/ },
  { title: "entry with an absolute path", zip: async () => buildRawZip({ ...packageFiles(), "/etc/evil": "x" }), fileName: "acme-publishing-tools.zip", detail: /escape the ZIP root/ },
  { title: "entry with backslash traversal", zip: () => buildZip({ ...packageFiles(), "CM\\..\\..\\evil.dll": "x" }), fileName: "acme-publishing-tools.zip", detail: /escape the ZIP root/ },
  { title: "a huge manifest (bomb-like)", zip: () => buildZip({ "manifest.json": `{"id":"acme-publishing-tools","x":"${"a".repeat(1_100_000)}"}` }), fileName: "acme-publishing-tools.zip", detail: /larger than 1048576 bytes/ },
  { title: "over the size limit", zip: async () => buildZip({ ...packageFiles(), "big.bin": Buffer.alloc(300 * 1024, 7) }, { store: true }), fileName: "acme-publishing-tools.zip", detail: /larger than the limit of 262144 bytes/, status: 413 },
];

for (const c of cases) {
  test(`rejected: ${c.title}`, async (t) => {
    const res = await uploadPackage(addons, token, await c.zip(), c.fileName);
    t.is(res.status, c.status ?? 400, JSON.stringify(res.data));
    t.regex(String(res.headers["content-type"]), /^application\/problem\+json/);
    t.regex(res.data.detail, c.detail);
    t.is(res.data.status, c.status ?? 400);
  });
}

test("multipart mistakes: not multipart (415), wrong field name, no file name", async (t) => {
  const json = await http.post(addons, { id: "x" }, bearer(token));
  t.is(json.status, 415);
  t.regex(json.data.detail, /multipart\/form-data/);
  const FormData = (await import("form-data")).default;
  const wrongField = new FormData();
  wrongField.append("package", Buffer.from("x"), { filename: "acme-publishing-tools.zip" });
  const r1 = await http.post(addons, wrongField, { headers: { ...wrongField.getHeaders(), ...bearer(token).headers } });
  t.is(r1.status, 400);
  t.regex(r1.data.detail, /field "file", not "package"/);
});

test.after("no rejected upload left an add-on or a temp file behind", async (t) => {
  const list = await http.get(addons, bearer(token));
  t.deepEqual(list.data, []);
  const fs = await import("node:fs");
  t.deepEqual(fs.readdirSync(`${emu.dataDir}/tmp`), []);
  t.deepEqual(fs.readdirSync(`${emu.dataDir}/packages`), []);
});

test("a hand-written ZIP with sane names is accepted (the raw ZIP fixture itself is valid)", async (t) => {
  const m = manifest({ id: "raw-zip-ok" });
  const res = await uploadPackage(addons, token, buildRawZip(packageFiles(m)), "raw-zip-ok.zip");
  t.is(res.status, 201, JSON.stringify(res.data));
  t.is((await http.delete(`${addons}/raw-zip-ok`, bearer(token))).status, 204);
});
