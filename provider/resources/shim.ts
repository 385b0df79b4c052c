// The object serialized into `__provider`. It holds a plain kind string and nothing else: every
// method loads the *installed* implementation at call time, so state never carries stale code
// (delete/refresh run today's code), no library is captured, and no secret can be captured.
// Credentials reach the implementation through configure() (stack config), never from here.
import type * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "addonPackage" | "clientCredentialUser" | "serviceAccount";

// The require() calls are the point: they run when the engine calls a method, in the engine's
// process, so they load the installed package of that moment (an import would be captured).
/* eslint-disable @typescript-eslint/no-require-imports -- see the comment above */
function makeShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    configure: (req) => require("pulumi-tridion/dynamic")[kind].configure(req),
    check: (olds, news) => require("pulumi-tridion/dynamic")[kind].check(olds, news),
    diff: (id, olds, news) => require("pulumi-tridion/dynamic")[kind].diff(id, olds, news),
    create: (inputs) => require("pulumi-tridion/dynamic")[kind].create(inputs),
    read: (id, props) => require("pulumi-tridion/dynamic")[kind].read(id, props),
    update: (id, olds, news) => require("pulumi-tridion/dynamic")[kind].update(id, olds, news),
    delete: (id, props) => require("pulumi-tridion/dynamic")[kind].delete(id, props),
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

// One shared object per kind: Pulumi serializes it once and configures it once per process.
export const shims: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = {
  addonPackage: makeShim("addonPackage"),
  clientCredentialUser: makeShim("clientCredentialUser"),
  serviceAccount: makeShim("serviceAccount"),
};
