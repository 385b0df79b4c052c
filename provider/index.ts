// pulumi-tridion: RWS Tridion Sites add-on packages and client-credential identities as Pulumi resources.
export { AddonPackage, AddonPackageArgs } from "./resources/addonPackage";
export { ClientCredentialUser, ClientCredentialUserArgs } from "./resources/clientCredentialUser";
export { ServiceAccount, ServiceAccountArgs } from "./resources/serviceAccount";
export { IdentityArgs, IdentityResource } from "./resources/identityClass";
export { TridionError } from "./clients/errors";
