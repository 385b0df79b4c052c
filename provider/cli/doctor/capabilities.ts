// What an identity may do, in words, from the roles and audiences in its token: the Add-ons
// Service's role matrix as RWS documents it (docs/tridion-contract.md §3.1) and the one role
// managing Access Management needs. The 403 that the predefined Add-ons API account gets on
// upload ("can list but cannot upload") is told here before it happens.
import { ADDONS_ROLE_MATRIX, type AddonsOperation } from "tridion-sites-contract";
import { ADDONS_AUDIENCE, AM_AUDIENCE, ROLE_ADDONS_ADMIN, ROLE_AM_ADMIN } from "../../clients/tridionApis";

/** One thing an identity may want to do, and the roles that allow it. */
interface Operation {
  does: string;
  audience: string;
  roles: readonly string[];
}

const OPERATIONS: Operation[] = [
  ...(Object.entries(ADDONS_ROLE_MATRIX) as [AddonsOperation, (typeof ADDONS_ROLE_MATRIX)[AddonsOperation]][])
    .filter(([operation]) => operation !== "extensionStatus") // what Content Manager and Delivery report, not a user
    .map(([, { does, roles }]) => ({ does, audience: ADDONS_AUDIENCE, roles })),
  {
    does: "manage users' and service accounts' roles and client secrets (ClientCredentialUser, ServiceAccount)",
    audience: AM_AUDIENCE,
    roles: [ROLE_AM_ADMIN],
  },
];

export interface Capabilities {
  can: string[];
  cannot: Array<{ does: string; needs: string }>;
  /** Deploys add-ons (AddonPackage): holds the Add-ons Administrator role. */
  deploysAddons: boolean;
  /** Manages identities (ClientCredentialUser, ServiceAccount): holds the Access Management Administrator role. */
  managesIdentities: boolean;
  /** The token carries no role claim: the services decide, nothing can be told in advance. */
  rolesUnknown: boolean;
}

/** What a token with these audiences and roles may do. A token without any role claim tells nothing. */
export function capabilitiesOf(audiences: string[], roles: string[]): Capabilities {
  const can: string[] = [];
  const cannot: Capabilities["cannot"] = [];
  for (const op of OPERATIONS) {
    const hasAudience = audiences.length === 0 || audiences.includes(op.audience);
    if (hasAudience && op.roles.some((r) => roles.includes(r))) can.push(op.does);
    else {
      const needs = hasAudience ? `needs ${op.roles.join(" or ")}` : `needs access to the API ${op.audience} with ${op.roles.join(" or ")}`;
      cannot.push({ does: op.does, needs });
    }
  }
  return {
    can,
    cannot,
    deploysAddons: roles.includes(ROLE_ADDONS_ADMIN) && (audiences.length === 0 || audiences.includes(ADDONS_AUDIENCE)),
    managesIdentities: roles.includes(ROLE_AM_ADMIN) && (audiences.length === 0 || audiences.includes(AM_AUDIENCE)),
    rolesUnknown: roles.length === 0,
  };
}

/** "can list add-ons, ...; cannot upload a new add-on package (needs ...), ..." */
export function describeCapabilities(c: Capabilities, roles: string[]): string {
  const held = roles.length ? `holds ${roles.join(", ")}` : "holds no role";
  const can = c.can.length ? `can ${c.can.join(", ")}` : "can do nothing the provider needs";
  const byNeed = new Map<string, string[]>();
  for (const { does, needs } of c.cannot) byNeed.set(needs, [...(byNeed.get(needs) ?? []), does]);
  const cannot = [...byNeed].map(([needs, does]) => `${does.join(", ")} (${needs})`);
  return `${can}${cannot.length ? `; cannot ${cannot.join("; ")}` : ""}: ${held}`;
}
