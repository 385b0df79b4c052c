// pulumi-tridion: RWS Tridion Sites add-on packages and client-credential identities as Pulumi resources.
export { AddonPackage, AddonPackageArgs } from "./resources/addonPackage";
export { ClientCredentialUser, ClientCredentialUserArgs } from "./resources/clientCredentialUser";
export { ServiceAccount, ServiceAccountArgs } from "./resources/serviceAccount";
export { IdentityArgs, IdentityResource } from "./resources/identity/identityResource";
export { PartialFailure, TridionError, type ErrorCode } from "./errors/tridionError";
