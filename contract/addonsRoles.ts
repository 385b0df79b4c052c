// The Add-ons Service's roles and who may do what (docs/tridion-contract.md §3.1), as RWS
// documents them. The emulator enforces this matrix; `pulumi-tridion doctor` tells a user from it
// what an identity may do before a 403 happens.

/** The token audience of the Add-ons Service (its API key in Access Management). */
export const ADDONS_API = "Tridion.AddonService";

export const ADDONS_ROLES = {
  administrator: `${ADDONS_API}.Administrator`,
  service: `${ADDONS_API}.Service`,
  readOnly: `${ADDONS_API}.ReadOnly`,
} as const;

const { administrator, service, readOnly } = ADDONS_ROLES;

/** Each operation, the roles that may perform it, and what it is in words. */
export const ADDONS_ROLE_MATRIX = {
  list: { roles: [administrator, service, readOnly], does: "list add-ons" },
  get: { roles: [administrator, service, readOnly], does: "read an add-on" },
  upload: { roles: [administrator], does: "upload a new add-on package" },
  update: { roles: [administrator], does: "replace a package" },
  setStatus: { roles: [administrator, service], does: "enable or disable an add-on" },
  delete: { roles: [administrator], does: "delete an add-on" },
  downloadPackage: { roles: [administrator, service], does: "download a package" },
  putConfiguration: { roles: [administrator], does: "upload a custom configuration" },
  deleteConfiguration: { roles: [administrator], does: "delete a custom configuration" },
  downloadConfiguration: { roles: [administrator, service], does: "download a custom configuration" },
  // Not in RWS's table: how Content Manager and Content Delivery report loading; our choice.
  extensionStatus: { roles: [administrator, service], does: "report an extension's status" },
} as const satisfies Record<string, { roles: readonly string[]; does: string }>;

export type AddonsOperation = keyof typeof ADDONS_ROLE_MATRIX;
