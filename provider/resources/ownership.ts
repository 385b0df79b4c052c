// How a resource recognises the object it created when Pulumi lost track of it (a `pulumi up`
// killed after the server acted but before the state was saved: the engine then forgets the
// pending create, and the next `up` creates again).
//
// The key is derived from what Pulumi knows before `create` runs: organization, project, stack,
// the resource's type, its parent's URN and its name. Within a backend that is the resource's
// identity, so no other resource, and no other stack, can have the same key; two backends that
// share organization, project and stack names and point at the same Tridion Sites are the same
// stack as far as the server can tell. The key travels as the hidden input `ownerKey`, which diff
// ignores (renaming a stack does not replace anything) and which state keeps from the create.
//
// Where the real API has room for it, the key is written into the object:
// - AddonPackage: the COUNTER of the documented `ID-VERSION-COUNTER.zip` file name, which the
//   uploader chooses and the service keeps as `packageFileName` (identical bytes from two stacks
//   still carry different names);
// - ServiceAccount: its client id, when the program does not choose one.
// A user's client secret has no such room (no marker, no description), nor does a service
// account whose client id the program chose, nor an add-on without a version (`ID.zip`).
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export const OWNER_KEY = "ownerKey";

/** The key of the resource being constructed (an Output: a parent's URN is one). */
export function ownerKeyFor(type: string, name: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<string> {
  const parentUrn = opts?.parent ? opts.parent.urn : pulumi.output("");
  return parentUrn.apply((parent) =>
    ownerKeyFromParts({ organization: organization(), project: pulumi.getProject(), stack: pulumi.getStack(), type, parent, name }),
  );
}

/** What a key is derived from: where the resource lives and who it is. */
export interface OwnerKeyParts {
  organization: string;
  project: string;
  stack: string;
  /** The resource's type as the key knows it, e.g. `tridion:AddonPackage`. */
  type: string;
  /** The parent's URN ("" without a parent). */
  parent: string;
  name: string;
}

/** The key itself: a pure function of its parts (both faces of a resource derive it here). */
export function ownerKeyFromParts(parts: OwnerKeyParts): string {
  const { organization, project, stack, type, parent, name } = parts;
  return crypto
    .createHash("sha256")
    .update(["pulumi-tridion/owner/v1", organization, project, stack, type, parent, name].join("\n"))
    .digest("hex");
}

/** The organization, where the engine tells one (test mocks may not). */
function organization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "";
  }
}

const isKey = (key: unknown): key is string => typeof key === "string" && /^[0-9a-f]{64}$/.test(key);

/** The key a resource works with: the one it was created with (state), else the program's. */
export function ownerKeyOf(olds: { ownerKey?: unknown } | undefined, news: { ownerKey?: unknown }): string | undefined {
  if (isKey(olds?.ownerKey)) return olds.ownerKey;
  return isKey(news.ownerKey) ? news.ownerKey : undefined;
}

/** COUNTER of `ID-VERSION-COUNTER.zip`: a 12-digit build number taken from the key. */
export function packageCounter(key: string): string {
  return (BigInt(`0x${key.slice(0, 16)}`) % 10n ** 12n).toString().padStart(12, "0");
}

/**
 * The file name our uploads carry: `ID-VERSION-COUNTER.zip` with our COUNTER. Without a key, or
 * for a package without a version (only `ID.zip` is allowed then), the package's own name.
 */
export function ownedPackageFileName(manifest: { id: string; version?: string }, ownName: string, key: string | undefined): string {
  if (!key || !manifest.version) return ownName;
  return `${manifest.id}-${manifest.version}-${packageCounter(key)}.zip`;
}

/** Whether the service's add-on was uploaded by the resource with this key. */
export function isOwnAddon(meta: { id: string; packageFileName?: string | null }, key: string | undefined): boolean {
  if (!key || !meta.packageFileName) return false;
  const name = meta.packageFileName;
  return name.startsWith(`${meta.id}-`) && name.toLowerCase().endsWith(`-${packageCounter(key)}.zip`);
}

/** The client id a ServiceAccount gets when the program chooses none. */
export function ownedClientId(key: string): string {
  return `pulumi-${key.slice(0, 32)}`;
}
