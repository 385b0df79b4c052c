// What the provider and the emulator agree on, as data: see README.md.
export { ADDONS_PREFIX, OTHER_ROUTES, PROVIDER_ROUTES, RETIRED_ROUTE_KEYS, placeholdersOf } from "./routes";
export { ADDONS_API, ADDONS_ROLES, ADDONS_ROLE_MATRIX, type AddonsOperation } from "./addonsRoles";
export { PREDEFINED_ACCOUNTS, type MajorVersion, type PredefinedAccount } from "./accounts";
