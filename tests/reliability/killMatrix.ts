// The kill matrix's machinery: a Pulumi project in a folder (one per resource kind) driven with the
// real CLI as a user's pipeline drives it, an emulator whose fault `hangResponses` holds back the
// answer to exactly the request that matters (the write is done, the answer never comes), and a
// `kill -9` of the CLI's whole process group (CLI, language host, program, provider) the moment
// the emulator's request log shows that write. Then the documented recovery, and checks of what
// the server, the state and a further preview say.
import type { ExecutionContext } from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../demo/pulumiEngine";
import { amAdmin } from "../helpers/accessManagement";
import { shellEnvironment } from "../helpers/folderMode";
import { bearer, getToken, http, requestToken, startTestEmulator, type TestEmulator } from "../helpers/emulator";
import { runDetached } from "../helpers/processTree";
import type { LostResponses, RequestLogEntry } from "../../emulator/types";

export const ADDONS_ADMIN = "Tridion.AddonService.Administrator";
export const CM_ADMIN = "Tridion.ContentManager.Administrator";
export const ADDON_ID = "acme-publishing-tools";
export const USER = "deployer";

export type Kind = "addon" | "user" | "serviceAccount";

/** The program: what it declares is steered by stack config (`kill:*`), never by editing it. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as tridion from "pulumi-tridion";

const config = new pulumi.Config("kill");
const kind = config.require("kind");
const roles = [${JSON.stringify(ADDONS_ADMIN)}, ...(config.getBoolean("extraRole") ? [${JSON.stringify(CM_ADMIN)}] : [])];
const secretVersion = config.getNumber("secretVersion") ?? 1;
const secretOverlapHours = config.getNumber("overlapHours");

export const outputs: Record<string, pulumi.Output<unknown>> = {};
if (kind === "addon") {
  const addon = new tridion.AddonPackage("addon", {
    source: "./addon",
    configuration: { configuration: { AcmeEventHandler: { threshold: config.getNumber("threshold") ?? 5 } } },
  });
  outputs.status = addon.status;
  outputs.packageFileName = addon.packageFileName;
} else if (kind === "user") {
  const user = new tridion.ClientCredentialUser("deployer", { userName: ${JSON.stringify(USER)}, roles, secretVersion, secretOverlapHours });
  outputs.clientId = user.clientId;
  outputs.clientSecret = user.clientSecret;
  outputs.secretId = user.secretId;
} else {
  const account = new tridion.ServiceAccount("deployer", { accountName: "pipeline-deployer", roles, secretVersion, secretOverlapHours });
  outputs.clientId = account.clientId;
  outputs.clientSecret = account.clientSecret;
  outputs.secretId = account.secretId;
}
`;

export interface CliResult {
  code: number | null;
  output: string;
  /** True when the run was killed at the trigger (it had not finished by itself). */
  killed: boolean;
}

/** A Pulumi project in a folder inside the repository (pulumi-tridion resolves to the workspace), with its own backend. */
export class KillProject {
  readonly dir: string;
  private readonly env: Record<string, string>;
  private constructor(
    readonly kind: Kind,
    readonly emulator: TestEmulator,
    private readonly root: string,
    private readonly ownsEmulator: boolean,
  ) {
    this.dir = path.join(root, "project");
    const home = path.join(root, "home");
    this.env = {
      ...shellEnvironment(home),
      PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "kill-matrix",
    };
  }

  /** A project with one stack (`stack`, default "ci") and its own backend; its own emulator unless one is given. */
  static async create(kind: Kind, options: { emulator?: TestEmulator; stack?: string } = {}): Promise<KillProject> {
    const emulator =
      options.emulator ??
      (await startTestEmulator(
        kind === "user"
          ? { productVersion: "9.6", seedUsers: [USER], activationDelayMs: 200 }
          : { productVersion: "10", activationDelayMs: 200 },
      ));
    fs.mkdirSync(path.join(repoRoot, ".cache"), { recursive: true });
    const root = fs.mkdtempSync(path.join(repoRoot, ".cache", `kill-matrix-${kind}-`));
    const project = new KillProject(kind, emulator, root, options.emulator === undefined);
    // A setup that fails ends what it started: an emulator left listening keeps the test worker, and CI, waiting.
    try {
      fs.mkdirSync(path.join(project.root, "state"), { recursive: true });
      fs.mkdirSync(project.dir, { recursive: true });
      fs.cpSync(path.join(repoRoot, "examples", "quickstart", "addon"), path.join(project.dir, "addon"), { recursive: true });
      fs.copyFileSync(path.join(repoRoot, "examples", "quickstart", "tsconfig.json"), path.join(project.dir, "tsconfig.json"));
      fs.writeFileSync(
        path.join(project.dir, "Pulumi.yaml"),
        `name: kill-matrix-${kind}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
      );
      fs.writeFileSync(
        path.join(project.dir, "package.json"),
        JSON.stringify({ name: `kill-matrix-${kind}`, private: true, main: "index.ts" }),
      );
      fs.writeFileSync(path.join(project.dir, "index.ts"), PROGRAM);
      await project.must(["stack", "init", options.stack ?? "ci"]);
      const admin = emulator.credentials.admin;
      await project.config({
        "kill:kind": kind,
        "tridion:accessManagementUrl": emulator.accessManagementUrl,
        "tridion:addonsUrl": emulator.addonsUrl,
        "tridion:clientId": admin.clientId,
        "tridion:allowInsecureHttp": "true",
      });
      await project.must(["config", "set", "--secret", "tridion:clientSecret"], undefined, admin.clientSecret);
    } catch (error) {
      await project.close();
      throw error;
    }
    return project;
  }

  async config(values: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await this.must(["config", "set", key, value]);
  }

  /** Runs `pulumi args` (or another command) in the project; with `killWhen`, kill -9s it and everything it started once it holds. */
  async run(args: string[], options: { killWhen?: () => boolean; command?: string; input?: string } = {}): Promise<CliResult> {
    const { code, output, killed } = await runDetached(options.command ?? "pulumi", args, {
      cwd: this.dir,
      env: this.env,
      timeoutMs: 240_000,
      killWhen: options.killWhen,
      input: options.input,
    });
    return { code, output, killed };
  }

  async must(args: string[], command?: string, input?: string): Promise<string> {
    const result = await this.run(args, { command, input });
    if (result.code !== 0)
      throw new Error(`\`${command ?? "pulumi"} ${args.join(" ")}\` failed (${result.code}):\n${result.output.slice(-6000)}`);
    return result.output;
  }

  up(): Promise<string> {
    return this.must(["up", "--yes", "--non-interactive", "--skip-preview"]);
  }

  /**
   * Runs `pulumi <args>` with the emulator holding back the answer to the request `hang` matches;
   * kills the CLI's process group as soon as the emulator has carried that request out.
   */
  async killDuring(t: ExecutionContext, args: string[], hang: Omit<LostResponses, "count">): Promise<RequestLogEntry> {
    const from = this.emulator.requestLog().length;
    this.emulator.setFaults({ hangResponses: [{ count: 1, ...hang }] });
    const hung = () =>
      this.emulator
        .requestLog()
        .slice(from)
        .some((e) => e.hung);
    const result = await this.run([...args, "--yes", "--non-interactive", "--skip-preview"], { killWhen: hung });
    this.emulator.setFaults({});
    if (!result.killed)
      throw new Error(`the run ended (${result.code}) before the trigger ${JSON.stringify(hang)}:\n${result.output.slice(-4000)}`);
    const entry = this.emulator
      .requestLog()
      .slice(from)
      .find((e) => e.hung)!;
    t.log(`killed after ${entry.method} ${entry.path} (${entry.status}) was carried out`);
    return entry;
  }

  /** `pulumi cancel`: the file backend keeps the killed run's lock. */
  async cancel(): Promise<void> {
    await this.must(["cancel", "--yes"]);
  }

  /** The stack's managed resources (`type::name`) and their outputs. */
  async state(): Promise<Array<{ name: string; outputs: Record<string, unknown> }>> {
    const exported = JSON.parse(await this.must(["stack", "export", "--show-secrets"])) as {
      deployment: { resources?: Array<{ type: string; urn: string; outputs?: Record<string, unknown> }>; pending_operations?: unknown[] };
    };
    return (exported.deployment.resources ?? [])
      .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
      .map((r) => ({
        name: `${r.type.replace("pulumi-nodejs:dynamic/", "")}::${r.urn.split("::").pop()}`,
        outputs: Object.fromEntries(Object.entries(r.outputs ?? {}).map(([k, v]) => [k, revealed(v)])),
      }));
  }

  /** A further preview shows no changes (`--expect-no-changes` fails otherwise). */
  async assertNoChanges(t: ExecutionContext, refresh = false): Promise<void> {
    const result = await this.run(["preview", "--expect-no-changes", "--non-interactive", ...(refresh ? ["--refresh"] : [])]);
    t.is(result.code, 0, `preview${refresh ? " --refresh" : ""} shows no changes:\n${result.output.slice(-3000)}`);
  }

  async admin() {
    return amAdmin(this.emulator);
  }

  async close(): Promise<void> {
    if (this.ownsEmulator) await this.emulator.close();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** A secret in an export with --show-secrets is {<sig>: ..., plaintext: "<JSON>"}: its value. */
function revealed(value: unknown): unknown {
  const plaintext = (value as { plaintext?: unknown } | null)?.plaintext;
  return typeof plaintext === "string" ? JSON.parse(plaintext) : value;
}

/** The revoke commands a warning or an error named (`npx pulumi-tridion revoke-secret ...`). */
export function namedRepairs(output: string): string[] {
  return [...new Set([...output.matchAll(/`(npx pulumi-tridion [a-z-]+ [^`]+)`/g)].map((m) => m[1]))];
}

// ---- what "converged" means, per kind -------------------------------------------------------

/** The add-on: on the server exactly as declared (or gone), and in state the same. */
export async function assertAddonConverged(t: ExecutionContext, project: KillProject, declared: { threshold: number } | undefined) {
  const token = await getToken(project.emulator, project.emulator.credentials.admin);
  const addons = (await http.get(`${project.emulator.addonsUrl}/api/v1/addons`, bearer(token))).data as Array<Record<string, unknown>>;
  const state = await project.state();
  if (!declared) {
    t.deepEqual(addons, [], "the server holds no add-on");
    t.deepEqual(state, [], "the state holds no resource");
    return;
  }
  t.is(addons.length, 1, "exactly one add-on on the server");
  t.deepEqual(
    state.map((r) => r.name),
    ["tridion:AddonPackage::addon"],
  );
  const [addon] = addons;
  t.like(addon, { id: ADDON_ID, status: "Success", packageFileName: state[0].outputs.packageFileName });
  t.regex(String(addon.packageFileName), /^acme-publishing-tools-1\.4\.0-\d{12}\.zip$/, "uploaded with this stack's COUNTER");
  const config = (await http.get(`${project.emulator.addonsUrl}/api/v1/addons/${ADDON_ID}/configuration`, bearer(token))).data;
  t.deepEqual(config, { configuration: { AcmeEventHandler: { threshold: declared.threshold } } }, "the configuration as declared");
  t.is(state[0].outputs.status, "Success");
}

/** The identity: one account, the declared roles, only the state's secret on it and it works (or nothing of ours left). */
export async function assertIdentityConverged(
  t: ExecutionContext,
  project: KillProject,
  declared: { roles: string[] } | undefined,
  rolesLeftOnUser: string[] = [],
) {
  const am = await project.admin();
  const kind = project.kind === "user" ? "Users" : "ServiceAccounts";
  const accounts = (await am.list(kind)).filter((a) => a.name === (project.kind === "user" ? USER : "pipeline-deployer"));
  const state = await project.state();
  const type = project.kind === "user" ? "tridion:ClientCredentialUser::deployer" : "tridion:ServiceAccount::deployer";
  if (!declared) {
    t.deepEqual(state, [], "the state holds no resource");
    if (project.kind === "user") {
      t.is(accounts.length, 1, "the user stays (it is never deleted)");
      t.deepEqual(await am.secretIds(kind, accounts[0].id), [], "none of our secrets is left");
      t.deepEqual(am.rolesOf(accounts[0]), rolesLeftOnUser, "the roles we granted (as far as the state knows) are taken back");
    } else {
      t.deepEqual(accounts, [], "the service account is gone");
    }
    return;
  }
  t.is(accounts.length, 1, "exactly one account");
  t.deepEqual(
    state.map((r) => r.name),
    [type],
  );
  const outputs = state[0].outputs as { secretId: number; clientId: string; clientSecret: string };
  t.deepEqual(am.rolesOf(accounts[0]).sort(), [...declared.roles].sort(), "the roles as declared");
  t.deepEqual(await am.secretIds(kind, accounts[0].id), [outputs.secretId], "only the current secret is on the account");
  t.is((await requestToken(project.emulator.accessManagementUrl, outputs.clientId, outputs.clientSecret)).status, 200, "and it works");
}
