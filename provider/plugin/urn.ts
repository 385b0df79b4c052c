// The hidden ownership key of a resource served by the plugin, derived from its URN as the
// dynamic face derives it from what its program-side class knows (provider/resources/ownership.ts):
// project, stack, type and name. The URN's qualified type carries the parents' types in place of
// the parent's URN; the engine tells a provider no organization, so it is left empty. Within a
// backend the URN is the resource's identity, so no other resource has the same key.
import { ownerKeyFromParts } from "../resources/ownership";

/** `urn:pulumi:STACK::PROJECT::QUALIFIED-TYPE::NAME` (the name may itself hold "::"). */
export function ownerKeyFromUrn(urn: string): string {
  const parts = urn.split("::");
  const stack = parts[0].replace(/^urn:pulumi:/, "");
  const [project = "", type = ""] = parts.slice(1, 3);
  const name = parts.slice(3).join("::");
  return ownerKeyFromParts({ organization: "", project, stack, type, parent: "", name });
}
