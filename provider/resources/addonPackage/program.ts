// AddonPackage, the class a program constructs: an add-on package (ZIP or folder) deployed to the
// Add-ons Service, with its custom configuration and enabled state. What the engine runs is
// ./engine.ts, reached through the serialized shim.
import * as pulumi from "@pulumi/pulumi";
import { ownerKeyFor } from "../ownership";
import { deleteFirst } from "../resourceOptions";
import { shims } from "../shim";

export interface AddonPackageArgs {
  /** A `.zip` file or a folder (zipped deterministically, named ID-VERSION.zip from its manifest). */
  source: pulumi.Input<string>;
  /** The add-on's custom configuration: an object or its JSON text. */
  configuration?: pulumi.Input<Record<string, unknown> | string>;
  /** Enable the add-on (default true). */
  enabled?: pulumi.Input<boolean>;
  /** Wait this long for the status to leave PendingActivation (default 120; 0 = do not wait). */
  activationTimeoutSeconds?: pulumi.Input<number>;
  /** Deploy as this identity (e.g. a ClientCredentialUser's outputs) instead of tridion:clientId. Stored as a secret. */
  credentials?: pulumi.Input<{ clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> }>;
  /** Take over an add-on that already exists on the service with the same id (its package is replaced). */
  adopt?: pulumi.Input<boolean>;
  /**
   * Refuse to deploy unless the package built from `source` has this sha256, e.g. the
   * `packageSha256` that passed in another stack (read with a StackReference). Checked in preview.
   */
  expectedPackageSha256?: pulumi.Input<string>;
}

export class AddonPackage extends pulumi.dynamic.Resource {
  declare public readonly source: pulumi.Output<string>;
  declare public readonly addonId: pulumi.Output<string>;
  declare public readonly version: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  /** WaitingForConfiguration | PendingActivation | Success | Failed | Disabled */
  declare public readonly status: pulumi.Output<string>;
  declare public readonly statusMessage: pulumi.Output<string | undefined>;
  declare public readonly packageSha256: pulumi.Output<string>;
  declare public readonly packageFileName: pulumi.Output<string>;
  declare public readonly extensions: pulumi.Output<{ name: string; type?: string; status?: string; message?: string }[]>;
  /** sha256 of the canonical JSON of the configuration, or undefined without one. */
  declare public readonly configurationSha256: pulumi.Output<string | undefined>;
  declare public readonly enabled: pulumi.Output<boolean>;

  constructor(name: string, args: AddonPackageArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      addonId: undefined,
      version: undefined,
      name: undefined,
      status: undefined,
      statusMessage: undefined,
      packageSha256: undefined,
      packageFileName: undefined,
      extensions: undefined,
      configurationSha256: undefined,
      enabled: undefined,
    };
    const credentials = args.credentials === undefined ? undefined : pulumi.secret(args.credentials);
    const ownerKey = ownerKeyFor("tridion:AddonPackage", name, opts);
    // Delete first on replacement: ids are unique, and two add-ons with the same extensions should not load side by side.
    super(
      shims.addonPackage,
      name,
      { ...outputs, ...args, credentials, ownerKey },
      { ...opts, deleteBeforeReplace: deleteFirst(opts) },
      "tridion",
      "AddonPackage",
    );
  }
}
