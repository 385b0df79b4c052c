// The object serialized into `__provider` (program side). It holds a plain kind string and nothing
// else: every method loads the *installed* engine side, `pulumi-tridion/dynamic`, at call time,
// so state never carries stale code (delete/refresh run today's code), no library is captured,
// and no secret can be captured. Credentials reach the engine through configure() (stack
// config), never from here. State written by every release calls
// `require("pulumi-tridion/dynamic")[kind].<method>`: those names stay.
import type * as pulumi from "@pulumi/pulumi";
import type { EngineSide, ResourceKind } from "./kinds";

// The require() is the point: it runs when the engine calls a method, in the engine's process, so
// it loads the installed package of that moment (an import would be captured).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see the comment above
const engine = (kind: ResourceKind) => (require("pulumi-tridion/dynamic") as EngineSide)[kind];

function makeShim(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    configure: (req) => engine(kind).configure(req),
    check: (olds, news) => engine(kind).check(olds, news),
    diff: (id, olds, news) => engine(kind).diff(id, olds, news),
    create: (inputs) => engine(kind).create(inputs),
    read: (id, props) => engine(kind).read(id, props),
    update: (id, olds, news) => engine(kind).update(id, olds, news),
    delete: (id, props) => engine(kind).delete(id, props),
  };
}

// One shared object per kind: Pulumi serializes it once and configures it once per process.
export const shims: Record<ResourceKind, pulumi.dynamic.ResourceProvider> = {
  addonPackage: makeShim("addonPackage"),
  clientCredentialUser: makeShim("clientCredentialUser"),
  serviceAccount: makeShim("serviceAccount"),
};
