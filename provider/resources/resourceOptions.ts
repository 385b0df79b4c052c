// Resource options every resource class sets the same way (program side: a Pulumi program loads
// this, so it imports nothing but @pulumi/pulumi).
import type * as pulumi from "@pulumi/pulumi";

/**
 * Account names and add-on ids are unique on the server, so a replacement must remove the old
 * object before it creates the new one (otherwise the new one meets the old, and with `adopt` it
 * would take it over and then lose it to the old one's delete). This resource option, not the
 * provider's diff, decides it: `pulumi up --replace` never asks the diff, and the engine prefers
 * the option anyway. Set `deleteBeforeReplace: false` to create first when the name changes.
 */
export function deleteFirst(opts: pulumi.CustomResourceOptions | undefined): boolean {
  return opts?.deleteBeforeReplace ?? true;
}
