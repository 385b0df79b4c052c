// The ownership key's forms: what an interrupted create recognises, and what it must not.
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { isOwnAddon, ownedClientId, ownedPackageFileName, ownerKeyOf, packageCounter } from "../../provider/resources/ownership";

const KEY = "a".repeat(8) + "0123456789abcdef".repeat(3) + "b".repeat(8);
const OTHER = "f".repeat(64);
const manifest = { id: "acme", version: "1.4.0" };

test("COUNTER is 12 digits, the same for the same key, different for another", (t) => {
  t.regex(packageCounter(KEY), /^\d{12}$/);
  t.is(packageCounter(KEY), packageCounter(KEY));
  t.not(packageCounter(KEY), packageCounter(OTHER));
});

test("uploads are named ID-VERSION-COUNTER.zip; without a key or a version, the package's own name", (t) => {
  t.is(ownedPackageFileName(manifest, "acme-1.4.0.zip", KEY), `acme-1.4.0-${packageCounter(KEY)}.zip`);
  t.is(
    ownedPackageFileName(manifest, "acme-1.4.0-77.zip", KEY),
    `acme-1.4.0-${packageCounter(KEY)}.zip`,
    "a COUNTER of the user's is replaced",
  );
  t.is(ownedPackageFileName(manifest, "acme-1.4.0.zip", undefined), "acme-1.4.0.zip");
  t.is(ownedPackageFileName({ id: "acme" }, "acme.zip", KEY), "acme.zip", "ID.zip has no room for a COUNTER");
});

test("an add-on is ours only when its package file carries our COUNTER", (t) => {
  const ours = ownedPackageFileName(manifest, "acme-1.4.0.zip", KEY);
  t.true(isOwnAddon({ id: "acme", packageFileName: ours }, KEY));
  t.true(isOwnAddon({ id: "acme", packageFileName: `acme-2.0.0-${packageCounter(KEY)}.ZIP` }, KEY), "any version, .zip in any case");
  t.false(isOwnAddon({ id: "acme", packageFileName: "acme-1.4.0.zip" }, KEY), "no COUNTER: someone else's");
  t.false(
    isOwnAddon({ id: "acme", packageFileName: ownedPackageFileName(manifest, "acme-1.4.0.zip", OTHER) }, KEY),
    "another stack's COUNTER",
  );
  t.false(isOwnAddon({ id: "acme", packageFileName: ours }, undefined), "no key: nothing is ours");
  t.false(isOwnAddon({ id: "acme", packageFileName: null }, KEY));
  t.false(isOwnAddon({ id: "other", packageFileName: ours }, KEY), "another add-on's id");
});

test("the key of the create wins over the program's (a renamed stack keeps its objects); junk is no key", (t) => {
  t.is(ownerKeyOf({ ownerKey: KEY }, { ownerKey: OTHER }), KEY);
  t.is(ownerKeyOf({}, { ownerKey: OTHER }), OTHER);
  t.is(ownerKeyOf(undefined, { ownerKey: OTHER }), OTHER);
  t.is(ownerKeyOf({ ownerKey: "x" }, { ownerKey: pulumi.runtime.unknownValue }), undefined);
});

test("a ServiceAccount's default client id comes from the key", (t) => {
  t.regex(ownedClientId(KEY), /^pulumi-[0-9a-f]{32}$/);
  t.not(ownedClientId(KEY), ownedClientId(OTHER));
});
