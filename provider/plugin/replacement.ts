// A replacement created before the old object is deleted, as the engine does it for `pulumi up
// --replace`, for a tainted resource, and for any replacement without delete-before-replace (the
// dynamic face's program-side class asks for delete-first by default; a YAML or SDK program has no
// such class). The engine then creates the new resource first, with no old inputs in Check and no
// Diff, exactly as it retries a create that an interrupted `up` left unrecorded; and ids and names
// are unique on the service, so the create finds the very object the old resource holds. When the
// ownership key says it is ours, the create takes it over (the interrupted-create story must keep
// converging), and the old resource's delete that follows would take it away from its replacement.
//
// This process sees both: the create that answered an id for a URN, then the delete of that URN
// with that id. Such a delete lets go of the object instead: an add-on stays as it is; an identity
// keeps its account and its access (the replacement manages them now) and loses only the old
// resource's own client secret. A later process (an `up` killed between the two) learns the same
// from a Diff that finds the resource in the state unchanged, which the engine runs before it
// deletes what the interrupted run left pending.
import { TridionError, hasCode } from "../errors/tridionError";
import type { ResourceKind } from "../resources/kinds";

type Props = Record<string, unknown>;

/** Which object the resource of each URN holds, as this process has seen it answered. */
export class HeldObjects {
  private readonly held = new Map<string, string>();

  /** A create or update answered this id for the URN, or a Diff found it unchanged. */
  holds(urn: string, id: string): void {
    if (id) this.held.set(urn, id);
  }

  /** Whether a delete of this URN and id is the replaced resource's, whose object its replacement now holds. */
  heldByReplacement(urn: string, id: string): boolean {
    return this.held.get(urn) === id;
  }
}

/**
 * What the delete of a replaced resource does when its replacement holds the same object: nothing
 * for an add-on (undefined); for an identity, the engine's delete with a state that leaves the
 * account and its access alone (only its own secrets are revoked).
 */
export function releasedState(kind: ResourceKind, props: Props): Props | undefined {
  if (kind === "addonPackage") return undefined;
  return { ...props, createdAccount: false, originalAccess: {} };
}

const REPLACE_FIX =
  "if this is `pulumi up --replace` of this resource (or the resource is tainted), the engine creates the replacement before it deletes the old one, and both would be the same object: set the resource option `deleteBeforeReplace: true` (in Pulumi YAML `options: { deleteBeforeReplace: true }`) and run `pulumi up --replace` again.";

/**
 * A create refused because the object exists and is not this resource's: when a create-first
 * replacement is what found it, the fix is delete-before-replace; the message says so.
 */
export function withReplaceAdvice(error: unknown): unknown {
  if (!hasCode(error, "ACCOUNT_EXISTS", "ADDON_EXISTS")) return error;
  return new TridionError(error.code, error.message, {
    fix: `${error.fix ? `${error.fix} Or, ` : ""}${REPLACE_FIX}`,
    details: error.details,
    status: error.status,
    cause: error,
  });
}
