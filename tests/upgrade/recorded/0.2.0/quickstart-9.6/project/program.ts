// The upload that answers 403 for the predefined Add-ons API account, solved as code: a pipeline identity that may upload add-ons, and an add-on
// deployed *as that identity* (not as the admin that created it).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AddonPackage, ClientCredentialUser } from "pulumi-tridion";

export function quickstart() {
  const config = new pulumi.Config("quickstart");

  // Tridion Sites 9.5/9.6: a user with client credentials and the Add-ons Administrator role acts
  // as a service account (the predefined "Add-ons API" account only holds the Service role). The
  // user exists because it signed in to Access Management once; this gives it its credentials.
  const deployer = new ClientCredentialUser("addon-deployer", {
    userName: config.get("deployerUserName") ?? "addon-deployer",
    roles: ["Tridion.AddonService.Administrator"],
    secretExpiresInDays: config.getNumber("secretExpiresInDays") ?? 90,
    rotateBeforeDays: 30,
  });

  const addon = new AddonPackage("acme-publishing-tools", {
    source: path.join(__dirname, "addon"),
    configuration: {
      configuration: { AcmeEventHandler: { threshold: config.getNumber("threshold") ?? 5 } },
      sitesCm: { isEnabled: true, AcmeEventHandler: {} },
      live: { isEnabled: true, "acme-action": {} },
    },
    credentials: { clientId: deployer.clientId, clientSecret: deployer.clientSecret },
    activationTimeoutSeconds: 60,
  });

  return {
    deployerClientId: deployer.clientId,
    deployerSecretExpiresAt: deployer.secretExpiresAt,
    deployerClientSecret: deployer.clientSecret, // stays a secret in state and in `stack output`
    addonId: addon.addonId,
    addonVersion: addon.version,
    addonStatus: addon.status,
    packageSha256: addon.packageSha256,
  };
}
