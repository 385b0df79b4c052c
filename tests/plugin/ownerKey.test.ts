// The ownership key: one pure function for both faces. The dynamic face's keys must not change
// (objects created by earlier releases are recognised by them), so the formula is pinned here;
// the plugin derives its parts from the URN that Check receives.
import * as crypto from "node:crypto";
import test from "ava";
import { ownerKeyFromParts } from "../../provider/resources/ownership";
import { ownerKeyFromUrn } from "../../provider/plugin/urn";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

test("the key is sha256 of the v1 line list, as every release derived it", (t) => {
  const parts = { organization: "acme", project: "quickstart", stack: "dev", type: "tridion:AddonPackage", parent: "", name: "tools" };
  t.is(ownerKeyFromParts(parts), sha256("pulumi-tridion/owner/v1\nacme\nquickstart\ndev\ntridion:AddonPackage\n\ntools"));
  t.is(ownerKeyFromParts(parts), "4a6128fc506d010b9d5da294da6f6b8052c15d87308485e95f54bae4a6db86bf");
});

test("the plugin's key comes from the URN: project, stack, qualified type and name", (t) => {
  const key = ownerKeyFromUrn("urn:pulumi:prod::site::tridion:index:ServiceAccount::pipeline");
  t.is(key, sha256("pulumi-tridion/owner/v1\n\nsite\nprod\ntridion:index:ServiceAccount\n\npipeline"));
  // Another stack, another project, another name, another parent type: another key.
  const others = [
    "urn:pulumi:dev::site::tridion:index:ServiceAccount::pipeline",
    "urn:pulumi:prod::other::tridion:index:ServiceAccount::pipeline",
    "urn:pulumi:prod::site::tridion:index:ServiceAccount::pipeline-2",
    "urn:pulumi:prod::site::my:component$tridion:index:ServiceAccount::pipeline",
  ].map(ownerKeyFromUrn);
  t.is(new Set([key, ...others]).size, 5);
  // A name holding "::" is the whole name.
  t.is(
    ownerKeyFromUrn("urn:pulumi:prod::site::tridion:index:AddonPackage::a::b"),
    sha256("pulumi-tridion/owner/v1\n\nsite\nprod\ntridion:index:AddonPackage\n\na::b"),
  );
});
