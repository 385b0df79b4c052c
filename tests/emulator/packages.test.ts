// Every package rejection the service makes: each is a 400 (or 413) problem whose detail names the cause
// and the fix, and none leaves anything on the server.
import test from "ava";
import {
  bearer,
  buildRawZip,
  buildZip,
  getToken,
  http,
  manifest,
  packageFiles,
  startTestEmulator,
  uploadPackage,
  type TestEmulator,
} from "../helpers/emulator";
import { rawZip, type RawEntry } from "../helpers/rawZip";
import { multipartFrame, openUpload, uploadWithDisposition } from "./rawUpload";

let emu: TestEmulator;
let token: string;
let addons: string;

test.before(async () => {
  emu = await startTestEmulator({ maxPackageBytes });
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
const maxPackageBytes = 256 * 1024;

/** Changes one byte of `text` inside the ZIP: the data no longer matches its CRC-32. */
function corruptData(zip: Buffer, text: string): Buffer {
  const at = zip.indexOf(text);
  if (at < 0) throw new Error(`${text} not found in the ZIP`);
  const copy = Buffer.from(zip);
  copy[at + text.length - 1] ^= 0x01;
  return copy;
}

/** Makes every central-directory entry claim to unpack to `size` bytes, as a ZIP bomb's do. */
function declareUnpackedSize(zip: Buffer, size: number): Buffer {
  const copy = Buffer.from(zip);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = copy.indexOf(signature); at >= 0; at = copy.indexOf(signature, at + 4)) copy.writeUInt32LE(size, at + 24);
  return copy;
}

/** Flips the CRC-32 that the central directory records for `name` (any compression method). */
function corruptCentralCrc(zip: Buffer, name: string): Buffer {
  const copy = Buffer.from(zip);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = copy.indexOf(signature); at >= 0; at = copy.indexOf(signature, at + 4)) {
    const nameLength = copy.readUInt16LE(at + 28);
    if (copy.toString("utf8", at + 46, at + 46 + nameLength) === name) {
      copy.writeUInt32LE(~copy.readUInt32LE(at + 16) >>> 0, at + 16);
      return copy;
    }
  }
  throw new Error(`no central directory entry ${name}`);
}

const files = packageFiles();

/** The package's files plus `extra`, with hand-written names (raw bytes, bit 11, Unicode Path field). */
const withNames = (...extra: RawEntry[]) => rawZip([...Object.entries(files).map(([name, data]) => ({ name, data })), ...extra]);

const cases: Array<{ title: string; zip: () => Promise<Buffer>; fileName: string; detail: RegExp; status?: number }> = [
  {
    title: "not a ZIP at all",
    zip: async () => Buffer.from("this is not a zip file"),
    fileName: "acme-publishing-tools.zip",
    detail: /not a valid ZIP/,
  },
  {
    title: "a truncated ZIP",
    zip: async () => (await buildZip(packageFiles())).subarray(0, 100),
    fileName: "acme-publishing-tools.zip",
    detail: /not a valid ZIP|corrupt/,
  },
  {
    title: "no manifest",
    zip: () => buildZip({ "CM/x.dll": "x" }),
    fileName: "acme-publishing-tools.zip",
    detail: /has no manifest\.json/,
  },
  {
    title: "manifest not at the root",
    zip: () => buildZip({ "acme/manifest.json": JSON.stringify(manifest()) }),
    fileName: "acme-publishing-tools.zip",
    detail: /not at the root.*found "acme\/manifest\.json"/,
  },
  {
    title: "manifest not valid JSON",
    zip: () => buildZip({ "manifest.json": '{"id": "acme-publishing-tools",' }),
    fileName: "acme-publishing-tools.zip",
    detail: /not valid JSON/,
  },
  {
    title: "manifest a JSON array",
    zip: () => buildZip({ "manifest.json": "[]" }),
    fileName: "acme-publishing-tools.zip",
    detail: /must hold a JSON object/,
  },
  {
    title: "id missing",
    zip: () => withManifest({}, ["id"]),
    fileName: "acme-publishing-tools.zip",
    detail: /no "id"; the id is mandatory/,
  },
  { title: "id not a string", zip: () => withManifest({ id: 42 }), fileName: "42.zip", detail: /"id" must be a string/ },
  {
    title: "id over 255 characters",
    zip: () => withManifest({ id: longId }),
    fileName: `${longId}.zip`,
    detail: /256 characters long; the maximum is 255/,
  },
  {
    title: "id with path characters",
    zip: () => withManifest({ id: "../evil" }),
    fileName: "evil.zip",
    detail: /cannot be part of a file name/,
  },
  {
    title: "description empty",
    zip: () => withManifest({ description: "  " }),
    fileName: "acme-publishing-tools.zip",
    detail: /"description" must not be empty/,
  },
  {
    title: "description missing",
    zip: () => withManifest({}, ["description"]),
    fileName: "acme-publishing-tools.zip",
    detail: /"description" must not be empty/,
  },
  {
    title: "bad requireConfiguration",
    zip: () => withManifest({ requireConfiguration: "maybe" }),
    fileName: "acme-publishing-tools.zip",
    detail: /"requireConfiguration" is "maybe"; use "yes", "no" or "optional"/,
  },
  {
    title: "extensions not a list",
    zip: () => withManifest({ extensions: {} }),
    fileName: "acme-publishing-tools.zip",
    detail: /"extensions" must be a list/,
  },
  {
    title: "extension without a name",
    zip: () => withManifest({ extensions: [{ type: "CMEventHandler" }] }),
    fileName: "acme-publishing-tools.zip",
    detail: /extensions\[0\] has no "name"/,
  },
  {
    title: "duplicate extension names",
    zip: () =>
      withManifest({
        extensions: [
          { name: "a", type: "UIModel" },
          { name: "a", type: "UIModel" },
        ],
      }),
    fileName: "acme-publishing-tools.zip",
    detail: /two extensions are named "a"/,
  },
  {
    title: "file name not ID.zip",
    zip: () => withManifest({}),
    fileName: "package.zip",
    detail: /file name "package\.zip" does not match.*acme-publishing-tools-1\.4\.0\.zip/,
  },
  {
    title: "file name with a wrong version",
    zip: () => withManifest({}),
    fileName: "acme-publishing-tools-9.9.9.zip",
    detail: /does not match the manifest/,
  },
  {
    title: "file name without .zip",
    zip: () => withManifest({}),
    fileName: "acme-publishing-tools",
    detail: /does not match the manifest/,
  },
  {
    title: "entry escaping the root with ..",
    zip: async () => buildRawZip({ ...packageFiles(), "../evil.txt": "x" }),
    fileName: "acme-publishing-tools.zip",
    detail: /escape the ZIP root: \.\.\/evil\.txt/,
  },
  {
    title: "entry with an absolute path",
    zip: async () => buildRawZip({ ...packageFiles(), "/etc/evil": "x" }),
    fileName: "acme-publishing-tools.zip",
    detail: /escape the ZIP root/,
  },
  {
    title: "entry with backslash traversal",
    zip: () => buildZip({ ...packageFiles(), "CM\\..\\..\\evil.dll": "x" }),
    fileName: "acme-publishing-tools.zip",
    detail: /escape the ZIP root/,
  },
  {
    title: "a huge manifest (bomb-like)",
    zip: () => buildZip({ "manifest.json": `{"id":"acme-publishing-tools","x":"${"a".repeat(1_100_000)}"}` }),
    fileName: "acme-publishing-tools.zip",
    detail: /larger than 1048576 bytes/,
  },
  {
    title: "stored data that fails its CRC-32",
    zip: async () => corruptData(buildRawZip(packageFiles()), "Stand-in for the compiled"),
    fileName: "acme-publishing-tools.zip",
    detail: /corrupt ZIP file: entry "CM\/Acme\.EventHandler\.dll" fails its CRC-32 check/,
  },
  {
    title: "a deflated manifest whose CRC-32 does not match",
    zip: async () => corruptCentralCrc(await buildZip(packageFiles()), "manifest.json"),
    fileName: "acme-publishing-tools.zip",
    detail: /corrupt ZIP file: entry "manifest\.json" fails its CRC-32 check/,
  },
  {
    title: "a ZIP bomb (entries declaring 8 GiB unpacked), refused before decompressing",
    zip: async () => declareUnpackedSize(await buildZip(packageFiles()), 0xfffffff0),
    fileName: "acme-publishing-tools.zip",
    detail: /unpacks to 12\.0 GiB, more than the 4 GiB an add-on may hold \(a ZIP bomb\?\)/,
  },
  {
    title: "two manifest.json entries",
    zip: async () =>
      buildRawZip([
        ["manifest.json", files["manifest.json"]],
        ["manifest.json", JSON.stringify(manifest({ id: "other" }))],
        ["CM/Acme.EventHandler.dll", files["CM/Acme.EventHandler.dll"]],
        ["dist/acme-action/main.js", files["dist/acme-action/main.js"]],
      ]),
    fileName: "acme-publishing-tools.zip",
    detail: /two entries for the same file: "manifest\.json" and "manifest\.json"/,
  },
  {
    title: "two entries differing only in case",
    zip: async () => buildRawZip([...Object.entries(files), ["cm/acme.eventhandler.dll", "other"]]),
    fileName: "acme-publishing-tools.zip",
    detail: /two entries for the same file: "CM\/Acme\.EventHandler\.dll" and "cm\/acme\.eventhandler\.dll"/,
  },
  {
    title: "a raw name escaping the root behind a harmless Unicode Path field (the raw name is what counts)",
    zip: async () => withNames({ name: "../../Windows/Temp/evil.dll", data: "MZ", unicodePath: { name: "CM/harmless.dll" } }),
    fileName: "acme-publishing-tools.zip",
    detail: /escape the ZIP root: \.\.\/\.\.\/Windows\/Temp\/evil\.dll/,
  },
  {
    title: "a Unicode Path field naming another file than the raw name",
    zip: async () => withNames({ name: "CM/a.dll", data: "MZ", unicodePath: { name: "CM/b.dll" } }),
    fileName: "acme-publishing-tools.zip",
    detail:
      /entry "CM\/a\.dll", which carries a Unicode Path extra field \(0x7075\) naming it "CM\/b\.dll"; the service extracts the raw name\. Rebuild the ZIP with UTF-8 file names/,
  },
  {
    title: "a non-ASCII name without the UTF-8 flag (its name depends on the server's code page)",
    zip: async () => withNames({ name: Buffer.from("CM/\x9abersetzung.dll", "latin1"), data: "MZ", utf8Flag: false }),
    fileName: "acme-publishing-tools.zip",
    detail: /entry "CM\/\\x9abersetzung\.dll", with non-ASCII bytes but not marked as UTF-8 \(bit 11\)/,
  },
  {
    title: "a name flagged UTF-8 that is not UTF-8",
    zip: async () => withNames({ name: Buffer.from([0x43, 0x4d, 0x2f, 0xff, 0x2e, 0x64, 0x6c, 0x6c]), data: "MZ" }),
    fileName: "acme-publishing-tools.zip",
    detail: /entry "CM\/\\xff\.dll", marked as UTF-8 \(bit 11\) but not valid UTF-8/,
  },
  ...(
    [
      [
        "CM/Acme.EventHandler.dll.",
        /entry "CM\/Acme\.EventHandler\.dll\.", which has "Acme\.EventHandler\.dll\.", ending with a dot or space, which Windows drops/,
      ],
      ["CM/Acme.EventHandler.dll ", /ending with a dot or space/],
      ["CM/Acme.EventHandler.dll::$DATA", /has ":" in "Acme\.EventHandler\.dll::\$DATA", which Windows reads as an alternate data stream/],
      ["CON.txt", /has "CON\.txt", the Windows device name CON/],
      ["CM/nul", /the Windows device name NUL/],
      ["CM/com\u00b9.dll", /the Windows device name COM\u00b9/],
      ["CM/LPT9.log", /the Windows device name LPT9/],
      ["CM/what?.dll", /a character Windows does not allow in a file name in "what\?\.dll"/],
    ] as const
  ).map(([name, detail]) => ({
    title: `a name Windows would not extract as itself: ${JSON.stringify(name)}`,
    zip: async () => withNames({ name, data: "MZ" }),
    fileName: "acme-publishing-tools.zip",
    detail: new RegExp(`${detail.source}.*the servers that extract add-ons run Windows`),
  })),
  {
    title: "over the size limit",
    zip: async () => buildZip({ ...packageFiles(), "big.bin": Buffer.alloc(300 * 1024, 7) }, { store: true }),
    fileName: "acme-publishing-tools.zip",
    detail: /larger than the limit of 262144 bytes/,
    status: 413,
  },
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
  const zip = await buildZip(packageFiles());
  const emptyName = await uploadWithDisposition(addons, token, zip, 'form-data; name="file"; filename=""');
  t.is(emptyName.status, 400);
  t.regex(String(emptyName.headers["content-type"]), /^application\/problem\+json/);
  t.regex(String(emptyName.body.detail), /field "file" has no file name; send it as ID-VERSION\.zip/);
  const noName = await uploadWithDisposition(addons, token, zip, 'form-data; name="file"');
  t.is(noName.status, 400);
  t.regex(String(noName.body.detail), /has no file\. Put the ZIP in the field "file", with its file name/);
});

test("a Content-Length far above the limit is answered 413 at once, with Connection: close, for POST and PUT", async (t) => {
  // The body is never sent: an answer can only come from the declared length (without the early
  // check the emulator would wait for the body and this test would time out).
  t.timeout(30_000);
  const created = await uploadPackage(addons, token, await buildZip(packageFiles(manifest({ id: "size-check" }))), "size-check.zip");
  t.is(created.status, 201, JSON.stringify(created.data));
  const frame = multipartFrame();
  for (const [method, url] of [
    ["POST", addons],
    ["PUT", `${addons}/size-check`],
  ] as const) {
    const upload = openUpload(url, method, {
      "Content-Type": frame.contentType,
      "Content-Length": 4 * maxPackageBytes,
      Authorization: `Bearer ${token}`,
    });
    await upload.write(frame.head);
    const answer = await upload.answer;
    t.is(answer.status, 413, method);
    t.is(answer.headers.connection, "close", method);
    t.regex(String(answer.headers["content-type"]), /^application\/problem\+json/);
    t.regex(String(answer.body.detail), /larger than the limit of 262144 bytes/);
  }
  const kept = await http.get(`${addons}/size-check`, bearer(token));
  t.is(kept.data.packageSha256, created.data.packageSha256, "the refused PUT changed nothing");
  t.is((await http.delete(`${addons}/size-check`, bearer(token))).status, 204);
});

test.after("no rejected upload left an add-on or a temp file behind", async (t) => {
  const list = await http.get(addons, bearer(token));
  t.deepEqual(list.data, []);
  const fs = await import("node:fs");
  t.deepEqual(fs.readdirSync(`${emu.dataDir}/tmp`), []);
  t.deepEqual(fs.readdirSync(`${emu.dataDir}/packages`), []);
});

test("names every reader agrees on are accepted: a matching Unicode Path field, UTF-8 with the flag, device-like names that are not devices", async (t) => {
  const m = manifest({ id: "agreed-names" });
  const zip = rawZip([
    ...Object.entries(packageFiles(m)).map(([name, data]) => ({ name, data })),
    { name: "CM/Übersetzung.dll", data: "MZ", unicodePath: { name: "CM/Übersetzung.dll" } },
    { name: "CM/plain.txt", data: "x", utf8Flag: false },
    { name: "CM/CONSOLE.txt", data: "x" },
    { name: "CM/COM10.dll", data: "x" },
  ]);
  const res = await uploadPackage(addons, token, zip, "agreed-names.zip");
  t.is(res.status, 201, JSON.stringify(res.data));
  t.is((await http.delete(`${addons}/agreed-names`, bearer(token))).status, 204);
});

test("a hand-written ZIP with sane names is accepted (the raw ZIP fixture itself is valid)", async (t) => {
  const m = manifest({ id: "raw-zip-ok" });
  const res = await uploadPackage(addons, token, buildRawZip(packageFiles(m)), "raw-zip-ok.zip");
  t.is(res.status, 201, JSON.stringify(res.data));
  t.is((await http.delete(`${addons}/raw-zip-ok`, bearer(token))).status, 204);
});
