// Tridion Sites 10.x: a service account of our own with the Add-ons Administrator role, and an
// add-on deployed as that account. (On 9.5/9.6 use ClientCredentialUser; see ../quickstart.)
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AddonPackage, ServiceAccount } from "pulumi-tridion";

export function serviceAccountExample() {
  const config = new pulumi.Config("example");

  const deployer = new ServiceAccount("addon-deployer", {
    accountName: "Add-on deployer",
    roles: ["Tridion.AddonService.Administrator"],
    secretExpiresInDays: 180,
    rotateBeforeDays: 30,
    // Bump to rotate the client secret now (the new one is created before the old one is revoked).
    secretVersion: config.getNumber("secretVersion") ?? 1,
  });

  const addon = new AddonPackage("acme-publishing-tools", {
    source: config.get("addonSource") ?? path.join(__dirname, "addon"),
    configuration: {
      configuration: { AcmeEventHandler: { threshold: 5 } },
      sitesCm: { isEnabled: true, AcmeEventHandler: {} },
    },
    credentials: { clientId: deployer.clientId, clientSecret: deployer.clientSecret },
  });

  return {
    serviceAccountId: deployer.serviceAccountId,
    clientId: deployer.clientId,
    secretExpiresAt: deployer.secretExpiresAt,
    addonStatus: addon.status,
    packageSha256: addon.packageSha256,
  };
}
