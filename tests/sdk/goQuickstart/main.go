// The quickstart in Go, with the generated Go SDK (sdk/go): a deployer user gets client
// credentials and the Add-ons Administrator role, and the example add-on is deployed as that
// user. An inline program run through the Automation API (no Go language host needed); the
// engine starts the tridion provider plugin. tests/sdk/go.test.ts builds and drives it:
//
//	quickstart <add-on folder>
//
// Settings come from the environment (QUICKSTART_ACCESS_MANAGEMENT_URL, QUICKSTART_ADDONS_URL,
// QUICKSTART_CLIENT_ID, QUICKSTART_CLIENT_SECRET) and become stack configuration; the backend, the
// passphrase and PATH (pulumi, the plugin) too. It prints one JSON line per step on stdout and
// waits for a line on stdin after `up`, so the test can look at Tridion in between.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi-tridion/pulumi-tridion/sdk/go/tridion"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func quickstart(addonDir string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		deployer, err := tridion.NewClientCredentialUser(ctx, "addon-deployer", &tridion.ClientCredentialUserArgs{
			UserName:            pulumi.String("addon-deployer"),
			Roles:               pulumi.StringArray{pulumi.String("Tridion.AddonService.Administrator")},
			SecretExpiresInDays: pulumi.Int(90),
			RotateBeforeDays:    pulumi.Int(30),
		})
		if err != nil {
			return err
		}
		addon, err := tridion.NewAddonPackage(ctx, "acme-publishing-tools", &tridion.AddonPackageArgs{
			Source: pulumi.String(addonDir),
			Configuration: pulumi.Map{
				"configuration": pulumi.Map{"AcmeEventHandler": pulumi.Map{"threshold": pulumi.Int(5)}},
				"sitesCm":       pulumi.Map{"isEnabled": pulumi.Bool(true), "AcmeEventHandler": pulumi.Map{}},
				"live":          pulumi.Map{"isEnabled": pulumi.Bool(true), "acme-action": pulumi.Map{}},
			},
			Credentials:              &tridion.CredentialsArgs{ClientId: deployer.ClientId.Elem(), ClientSecret: deployer.ClientSecret.Elem()},
			ActivationTimeoutSeconds: pulumi.Int(60),
		})
		if err != nil {
			return err
		}
		ctx.Export("deployerClientId", deployer.ClientId)
		ctx.Export("deployerClientSecret", deployer.ClientSecret)
		ctx.Export("addonId", addon.AddonId)
		ctx.Export("addonStatus", addon.Status)
		return nil
	}
}

func report(step string, fields map[string]any) {
	fields["step"] = step
	line, _ := json.Marshal(fields)
	fmt.Println(string(line))
}

func fail(step string, err error) {
	report(step, map[string]any{"error": err.Error()})
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: quickstart <add-on folder>")
		os.Exit(2)
	}
	ctx := context.Background()
	stack, err := auto.UpsertStackInlineSource(ctx, "dev", "quickstart-go", quickstart(os.Args[1]))
	if err != nil {
		fail("stack", err)
	}
	config := auto.ConfigMap{
		"tridion:accessManagementUrl": {Value: os.Getenv("QUICKSTART_ACCESS_MANAGEMENT_URL")},
		"tridion:addonsUrl":           {Value: os.Getenv("QUICKSTART_ADDONS_URL")},
		"tridion:clientId":            {Value: os.Getenv("QUICKSTART_CLIENT_ID")},
		"tridion:clientSecret":        {Value: os.Getenv("QUICKSTART_CLIENT_SECRET"), Secret: true},
	}
	if err := stack.SetAllConfig(ctx, config); err != nil {
		fail("config", err)
	}

	up, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
	if err != nil {
		fail("up", err)
	}
	outputs := map[string]any{}
	secret := map[string]bool{}
	for name, out := range up.Outputs {
		secret[name] = out.Secret
		if !out.Secret {
			outputs[name] = out.Value
		}
	}
	report("up", map[string]any{"outputs": outputs, "secret": secret, "summary": up.Summary.ResourceChanges})
	bufio.NewReader(os.Stdin).ReadString('\n')

	preview, err := stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.ProgressStreams(os.Stderr))
	if err != nil {
		fail("preview", err)
	}
	report("preview", map[string]any{"changes": preview.ChangeSummary})

	if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr)); err != nil {
		fail("destroy", err)
	}
	if err := stack.Workspace().RemoveStack(ctx, "dev"); err != nil {
		fail("remove", err)
	}
	report("destroy", map[string]any{})
}
