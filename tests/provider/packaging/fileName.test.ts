import test from "ava";
import { isValidPackageFileName, packageFileNameFor, validateManifest } from "../../../provider/packaging";
import { sampleManifest } from "./helpers";

const manifest = validateManifest(sampleManifest(), "manifest.json");
const { version: _v, ...unversionedRaw } = sampleManifest();
const unversioned = validateManifest(unversionedRaw, "manifest.json");

test("the built package is named ID-VERSION.zip, or ID.zip without a version", (t) => {
  t.is(packageFileNameFor(manifest), "acme-publishing-tools-1.4.0.zip");
  t.is(packageFileNameFor(unversioned), "acme-publishing-tools.zip");
});

test("ID.zip, ID-VERSION.zip and ID-VERSION-COUNTER.zip are accepted", (t) => {
  for (const name of [
    "acme-publishing-tools.zip",
    "acme-publishing-tools-1.4.0.zip",
    "acme-publishing-tools-1.4.0-17.zip",
    "acme-publishing-tools-1.4.0.ZIP",
  ]) {
    t.true(isValidPackageFileName(name, manifest), name);
  }
  t.true(isValidPackageFileName("acme-publishing-tools.zip", unversioned));
});

test("names that do not match the manifest are refused", (t) => {
  for (const name of [
    "acme-publishing-tools-1.4.1.zip", // other version
    "acme-publishing-tools-1.4.0-beta.zip", // counter is a build number
    "acme-publishing-tools-1.4.0-.zip",
    "acme-tools-1.4.0.zip", // other id
    "Acme-Publishing-Tools-1.4.0.zip", // id is case-sensitive
    "acme-publishing-tools-1.4.0.tar",
    "acme-publishing-tools-1.4.0",
    "package.zip",
  ]) {
    t.false(isValidPackageFileName(name, manifest), name);
  }
  t.false(isValidPackageFileName("acme-publishing-tools-1.4.0.zip", unversioned));
});
