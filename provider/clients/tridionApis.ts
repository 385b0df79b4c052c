// The names Tridion Sites gives its APIs and the roles this provider needs (RWS's documentation;
// the keys of Access Management's ApiResources).

/** API resource keys: what a token's `aud` must hold to call each service. */
export const ADDONS_AUDIENCE = "Tridion.AddonService";
export const AM_AUDIENCE = "Tridion.AccessManagement";

/** Uploading, updating and deleting add-ons. */
export const ROLE_ADDONS_ADMIN = "Tridion.AddonService.Administrator";
/** Managing users' and service accounts' access and secrets. */
export const ROLE_AM_ADMIN = "Tridion.AccessManagement.Administrator";

export const ADDONS_SERVICE = "Add-ons Service";
export const ACCESS_MANAGEMENT = "Access Management";
