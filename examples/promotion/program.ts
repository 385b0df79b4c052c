// One program, promoted across stacks by config alone. Each stack points at its own Tridion Sites
// (Pulumi.<stack>.yaml). A stack with `promotion:promoteFrom` deploys only the exact package that
// passed upstream: it reads the upstream stack's outputs by StackReference and pins the sha256.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AddonPackage } from "pulumi-tridion";

export function promotion() {
  const config = new pulumi.Config("promotion");
  const promoteFrom = config.get("promoteFrom"); // e.g. organization/tridion-promotion/dev

  let expectedPackageSha256: pulumi.Output<string> | undefined;
  if (promoteFrom) {
    const upstream = new pulumi.StackReference("upstream", { name: promoteFrom });
    // Promote only what is live upstream: the add-on must have activated there.
    expectedPackageSha256 = pulumi
      .all([upstream.requireOutput("packageSha256"), upstream.requireOutput("addonStatus")])
      .apply(([sha, status]) => {
        if (status !== "Success") {
          throw new Error(`${promoteFrom} reports the add-on as ${status}, not Success: fix it there before promoting.`);
        }
        return sha as string;
      });
  }

  const addon = new AddonPackage("acme-publishing-tools", {
    source: config.get("addonSource") ?? path.join(__dirname, "addon"),
    // Per-environment settings live in stack config, not in the ZIP.
    configuration: {
      configuration: { AcmeEventHandler: { threshold: config.requireNumber("threshold") } },
      sitesCm: { isEnabled: true, AcmeEventHandler: {} },
      live: { isEnabled: config.getBoolean("liveEnabled") ?? true, "acme-action": {} },
    },
    expectedPackageSha256,
  });

  return {
    addonVersion: addon.version,
    addonStatus: addon.status,
    packageSha256: addon.packageSha256,
    configurationSha256: addon.configurationSha256,
  };
}
