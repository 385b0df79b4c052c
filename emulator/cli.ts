#!/usr/bin/env node
// `tridion-emulator`: starts the emulator, prints one JSON line (both services' URLs and the
// credentials), serves until SIGINT/SIGTERM.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { validateFaults } from "./faults";
import { startEmulator } from "./index";
import { addonsDialectProblem, amBasePathProblem, parseIntegerFlag, portsProblem } from "./options";
import type { EmulatorOptions, ProductVersion } from "./types";

const usage = `Usage: tridion-emulator [options]
  --port N                    Access Management's port, 0-65535 (0 = any free port; default 0)
  --addons-port N             the Add-ons Service's own port (served under /addon), 0-65535
                              (0 = any free port; default 0)
  --https                     serve both over HTTPS with a self-signed certificate generated at
                              start (its CA's PEM is "caCertificate" in the JSON line)
  --host HOST                 listen address (default 127.0.0.1)
  --product-version 9.6|10    emulated Tridion Sites version (default 10)
  --data-dir DIR              persist state in DIR (default: in memory)
  --routes FILE               route profile JSON overriding the contract's paths
  --admin-client-id ID        bootstrap admin client id (env TRIDION_EMULATOR_ADMIN_CLIENT_ID)
  --admin-client-secret S     bootstrap admin secret (env TRIDION_EMULATOR_ADMIN_CLIENT_SECRET)
  --activation-delay-ms N     PendingActivation -> Success delay, >= 0 (default 2000)
  --token-lifetime-seconds N  access token lifetime, 1-2147483647 (default 3600)
  --max-package-bytes N       upload limit, >= 1; 413 above (default 1 GiB)
  --faults JSON               fault injection settings (JSON text, or @FILE)
  --seed-users NAMES          users who have signed in: comma-separated names, or a JSON list
                              of {"name", "email"?, "identityProvider"?} (text, or @FILE)
  --am-base-path PATH         where Access Management lives (default /access-management)
  --keep-issuer-case          issuer exactly as the URL (default: lower-cased, as IdentityServer)
  --addons-json-case camel|pascal
                              property names of the Add-ons answers (default camel;
                              pascal as Newtonsoft.Json writes them)
  --addons-status-spelling 10|9.5|display
                              status values: 10 (default), 9.5 (Fail for Failed), display
                              ("Pending Activation", "Waiting for configuration")
  --addons-upload-field NAME  the package upload's multipart field (default file)
  --addons-configuration-transport json|file
                              the configuration as a JSON body (default) or a multipart file
  --addons-configuration-field NAME
                              that file's multipart field (default configuration)
  --help`;

function fail(message: string): never {
  process.stderr.write(`tridion-emulator: ${message}\n${usage}\n`);
  process.exit(2);
}

function jsonArgument(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const text = value.startsWith("@") ? fs.readFileSync(value.slice(1), "utf8") : value;
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`--${name} is not valid JSON (${(error as Error).message})`);
  }
}

/** Names separated by commas, or a JSON list of users (text, or @FILE). */
function parseSeedUsers(value: string | undefined): EmulatorOptions["seedUsers"] {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.startsWith("[") || text.startsWith("{") || text.startsWith("@")) {
    const list = jsonArgument("seed-users", text);
    const example = '[{"name": "addon-deployer", "identityProvider": "EntraId"}]';
    if (!Array.isArray(list)) fail(`--seed-users as JSON must be a list such as ${example}`);
    list.forEach((entry: unknown, index: number) => {
      if (typeof entry === "string" && entry.trim()) return;
      const user = entry as Record<string, unknown> | null;
      const keys = user && typeof user === "object" ? Object.keys(user) : [];
      const wrong = keys.filter((k) => !["name", "email", "identityProvider"].includes(k) || typeof user![k] !== "string");
      if (!user || typeof user.name !== "string" || !user.name.trim() || wrong.length) {
        fail(
          `--seed-users[${index}] must be a name or {"name", "email"?, "identityProvider"?} with string values, got ${JSON.stringify(entry)}`,
        );
      }
    });
    return list as EmulatorOptions["seedUsers"];
  }
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): EmulatorOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "addons-port": { type: "string" },
      https: { type: "boolean" },
      host: { type: "string" },
      "product-version": { type: "string" },
      "data-dir": { type: "string" },
      routes: { type: "string" },
      "admin-client-id": { type: "string" },
      "admin-client-secret": { type: "string" },
      "activation-delay-ms": { type: "string" },
      "token-lifetime-seconds": { type: "string" },
      "max-package-bytes": { type: "string" },
      faults: { type: "string" },
      "seed-users": { type: "string" },
      "am-base-path": { type: "string" },
      "keep-issuer-case": { type: "boolean" },
      "addons-json-case": { type: "string" },
      "addons-status-spelling": { type: "string" },
      "addons-upload-field": { type: "string" },
      "addons-configuration-transport": { type: "string" },
      "addons-configuration-field": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const version = values["product-version"];
  if (version !== undefined && version !== "9.6" && version !== "10") fail(`--product-version must be 9.6 or 10, got "${version}"`);
  const basePathProblem = values["am-base-path"] === undefined ? undefined : amBasePathProblem("--am-base-path", values["am-base-path"]);
  if (basePathProblem) fail(basePathProblem);
  const routes = values.routes !== undefined ? jsonArgument("routes", `@${values.routes}`) : undefined;
  const faults = jsonArgument("faults", values.faults);
  if (faults !== undefined) {
    try {
      validateFaults(faults);
    } catch (error) {
      fail(`--faults: ${(error as Error).message}`);
    }
  }
  const dialect = Object.fromEntries(
    Object.entries({
      jsonCase: values["addons-json-case"],
      statusSpelling: values["addons-status-spelling"],
      uploadField: values["addons-upload-field"],
      configurationTransport: values["addons-configuration-transport"],
      configurationField: values["addons-configuration-field"],
    }).filter(([, v]) => v !== undefined),
  ) as EmulatorOptions["addonsDialect"] & object;
  const dialectProblem = addonsDialectProblem(dialect, true);
  if (dialectProblem) fail(dialectProblem);
  const port = parseIntegerFlag("port", values.port) ?? 0;
  const addonsPort = parseIntegerFlag("addonsPort", values["addons-port"]) ?? 0;
  const portProblem = portsProblem(port, addonsPort);
  if (portProblem) fail(portProblem.replace("port and addonsPort", "--port and --addons-port"));
  return {
    port,
    addonsPort,
    ...(values.https ? { tls: "self-signed" as const } : {}),
    host: values.host,
    productVersion: version as ProductVersion | undefined,
    dataDir: values["data-dir"],
    routes: routes as EmulatorOptions["routes"],
    adminClientId: values["admin-client-id"] ?? (env.TRIDION_EMULATOR_ADMIN_CLIENT_ID || undefined),
    adminClientSecret: values["admin-client-secret"] ?? (env.TRIDION_EMULATOR_ADMIN_CLIENT_SECRET || undefined),
    activationDelayMs: parseIntegerFlag("activationDelayMs", values["activation-delay-ms"]),
    tokenLifetimeSeconds: parseIntegerFlag("tokenLifetimeSeconds", values["token-lifetime-seconds"]),
    maxPackageBytes: parseIntegerFlag("maxPackageBytes", values["max-package-bytes"]),
    faults: faults as EmulatorOptions["faults"],
    seedUsers: parseSeedUsers(values["seed-users"]),
    accessManagementBasePath: values["am-base-path"],
    lowerCaseIssuer: values["keep-issuer-case"] ? false : undefined,
    ...(Object.keys(dialect).length ? { addonsDialect: dialect } : {}),
  };
}

async function main() {
  let options: EmulatorOptions;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    fail((error as Error).message);
  }
  const emulator = await startEmulator(options);
  process.stdout.write(
    `${JSON.stringify({
      accessManagementUrl: emulator.accessManagementUrl,
      addonsUrl: emulator.addonsUrl,
      ...(emulator.caCertificate ? { caCertificate: emulator.caCertificate } : {}),
      productVersion: emulator.productVersion,
      credentials: emulator.credentials,
    })}\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await emulator.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** The command: what bin/tridion-emulator.js runs. */
export function run(): void {
  main().catch((error) => {
    process.stderr.write(`tridion-emulator: ${(error as Error).message}\n`);
    process.exit(1);
  });
}

if (require.main === module) run();
