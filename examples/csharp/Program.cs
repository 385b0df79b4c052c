// The quickstart in C#: the pipeline user `addon-deployer` (signed in once) gets client
// credentials and the Add-ons Administrator role, and the add-on in ../quickstart/addon is
// deployed as that user, with its configuration. The resources come from the generated .NET SDK
// (../../sdk/dotnet); the engine runs them through the tridion provider plugin.
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using Pulumi;
using Tridion.Pulumi.Tridion;
using Tridion.Pulumi.Tridion.Inputs;

return await Deployment.RunAsync(() =>
{
    var config = new Config("quickstart");

    // Tridion Sites 9.5/9.6: a user with client credentials and the Add-ons Administrator role
    // acts as a service account. The user exists because it signed in to Access Management once.
    var deployer = new ClientCredentialUser("addon-deployer", new ClientCredentialUserArgs
    {
        UserName = config.Get("deployerUserName") ?? "addon-deployer",
        Roles = { "Tridion.AddonService.Administrator" },
        SecretExpiresInDays = config.GetInt32("secretExpiresInDays") ?? 90,
        RotateBeforeDays = 30,
    });

    var addon = new AddonPackage("acme-publishing-tools", new AddonPackageArgs
    {
        Source = Path.Combine(Directory.GetCurrentDirectory(), "..", "quickstart", "addon"),
        Configuration = Map(
            ("configuration", Map(("AcmeEventHandler", Map(("threshold", config.GetInt32("threshold") ?? 5))))),
            ("sitesCm", Map(("isEnabled", true), ("AcmeEventHandler", Map()))),
            ("live", Map(("isEnabled", true), ("acme-action", Map())))),
        Credentials = new CredentialsArgs
        {
            ClientId = deployer.ClientId.Apply(id => id ?? ""),
            ClientSecret = deployer.ClientSecret.Apply(secret => secret ?? ""),
        },
        ActivationTimeoutSeconds = 60,
    });

    return new Dictionary<string, object?>
    {
        ["deployerClientId"] = deployer.ClientId,
        ["deployerSecretExpiresAt"] = deployer.SecretExpiresAt,
        ["deployerClientSecret"] = deployer.ClientSecret, // stays a secret in state and in `stack output`
        ["addonId"] = addon.AddonId,
        ["addonVersion"] = addon.Version,
        ["addonStatus"] = addon.Status,
        ["packageSha256"] = addon.PackageSha256,
    };
});

// The add-on's configuration is JSON: nested string-keyed maps.
static ImmutableDictionary<string, object> Map(params (string Key, object Value)[] entries) =>
    entries.ToImmutableDictionary(entry => entry.Key, entry => entry.Value);
