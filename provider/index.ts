// pulumi-tridion: RWS Tridion Sites add-on packages and client-credential identities as Pulumi resources.
export { AddonPackage, AddonPackageArgs } from "./resources/addonPackage/program";
export { ClientCredentialUser, ClientCredentialUserArgs } from "./resources/clientCredentialUser/program";
export { ServiceAccount, ServiceAccountArgs } from "./resources/serviceAccount/program";
export { IdentityArgs, IdentityResource } from "./resources/identity/program";
export { PartialFailure, TridionError, type ErrorCode } from "./errors/tridionError";
