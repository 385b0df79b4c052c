// AddonPackage, the engine side: an add-on package (ZIP or folder) deployed to the Add-ons Service, with its
// custom configuration and enabled state.
//   check:  validate inputs + package (manifest rules) locally; record addonId, version,
//           packageSha256, configurationSha256 so diff is cheap and preview shows content changes
//   create: GET addon (adopt?) -> POST package | PUT package -> PUT configuration -> PUT status -> poll GET
//   read:   GET addon (+ GET configuration when the service gives no hash) -> drift
//   update: PUT package (content changed) -> PUT/DELETE configuration -> PUT status -> poll GET
//   delete: DELETE addon (its configuration goes with it)
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { AddonMetadata, AddonsClient } from "../../clients/addons";
import { getSession, Session } from "../../clients/session";
import type { Identity } from "../../clients/tokens";
import { ADDONS_AUDIENCE, ADDONS_SERVICE, ROLE_ADDONS_ADMIN } from "../../clients/tridionApis";
import { isDefiniteAboutIdentity, isIdentityRefused, PartialFailure, TridionError } from "../../errors/tridionError";
import { renderError } from "../../errors/render";
import { isAmbiguousFailure } from "../../http/policy";
import { poll } from "../../http/waiting";
import type { EngineProvider } from "../kinds";
import {
  configurationSha256,
  inspectPackage,
  PackageError,
  parseConfiguration,
  preparePackage,
  validateConfiguration,
} from "../../packaging";
import {
  addonStateFromMetadata,
  CHECKED_KEYS,
  enabledFromStatus,
  inputsFromState,
  type AddonPackageInputs,
  type AddonPackageState,
  type Credentials,
} from "./state";
import { isOwnAddon, ownedPackageFileName, ownerKeyOf } from "../ownership";
import { changed, changedKeys, compact, guarded, InputChecker, isUnknown, withDefault } from "../common";

/** Inputs as the engine hands them to check: anything at all (preview's unknowns included), validated there. */
type RawInputs = Record<string, unknown>;

export const DEFAULT_ACTIVATION_TIMEOUT_SECONDS = 120;
const RESOURCE = "AddonPackage";

function identityFor(session: Session, props: Pick<AddonPackageInputs, "credentials">, purpose: string): Identity {
  const c = props.credentials as Partial<Credentials> | undefined;
  if (c && typeof c.clientId === "string" && typeof c.clientSecret === "string" && !isUnknown(c)) {
    return { clientId: c.clientId, clientSecret: c.clientSecret };
  }
  return session.defaultIdentity(purpose);
}

/**
 * State read by an import (`pulumi import`, the `import` resource option): what the service told
 * (its id, its package's sha256, ...) and no `source`, which the service cannot give back. Only the
 * plugin imports; the dynamic face's state always holds the source the program set.
 */
function isImported(olds: RawInputs | undefined): boolean {
  return !!olds && typeof olds.addonId === "string" && (olds.source === undefined || olds.source === null);
}

/**
 * The check an import runs on what it read, before any program declares the add-on (`pulumi
 * import` checks the read inputs against themselves): no source yet, and none is asked for.
 */
function isImportsOwnCheck(olds: RawInputs, news: RawInputs): boolean {
  const { ownerKey: _o, ...read } = olds;
  const { ownerKey: _n, ...checked } = news;
  return isImported(olds) && isDeepStrictEqual(read, checked);
}

/** check, step 1: each input's own form (the configuration and the source come next). */
function checkInputForms(checker: InputChecker, olds: RawInputs, news: RawInputs): void {
  if (isImported(olds)) {
    if (!isImportsOwnCheck(olds, news)) {
      checker.requiredString(
        "source",
        "declare it: the add-on's folder or .zip file; an imported add-on has none until you add it (the service cannot give its package back), and the same package as the service holds previews no changes",
      );
    }
  } else checker.requiredString("source", "the path of the add-on's .zip file or of a folder holding manifest.json");
  checker.optionalBoolean("enabled");
  checker.optionalBoolean("adopt");
  checker.optionalString("expectedPackageSha256");
  checker.optionalInteger("activationTimeoutSeconds", 0, 86_400, `default ${DEFAULT_ACTIVATION_TIMEOUT_SECONDS}; 0 = do not wait`);
  const creds = news.credentials as Partial<Credentials> | null | undefined;
  if (creds !== undefined && creds !== null && !isUnknown(creds)) {
    if (
      typeof creds !== "object" ||
      typeof creds.clientId !== "string" ||
      typeof creds.clientSecret !== "string" ||
      !creds.clientId ||
      !creds.clientSecret
    ) {
      checker.fail(
        "credentials",
        "credentials must be { clientId, clientSecret } (e.g. a ClientCredentialUser's outputs); leave it out to deploy as tridion:clientId.",
      );
    }
  }
}

/**
 * check, step 2: the configuration as the object it stands for. Parsed (text) or measured
 * (object) first: its depth is bounded before anything walks it, and a failure names the position
 * or path and the kind of value, never the configuration's text. Undefined when there is none,
 * it is not known yet (preview), or it is refused.
 */
function readConfiguration(checker: InputChecker, news: RawInputs): { config: unknown; hasConfig: boolean } {
  let config: unknown;
  const hasConfig = news.configuration !== undefined && news.configuration !== null;
  let parsed: unknown;
  try {
    if (hasConfig) parsed = parseConfiguration(news.configuration);
  } catch (e) {
    if (!(e instanceof PackageError)) throw e;
    // (text that is preview's unknown is no error; an object too deep is one, unknowns or not)
    if (typeof news.configuration !== "string" || !isUnknown(news.configuration)) checker.fail("configuration", renderError(e));
  }
  if (hasConfig && parsed !== undefined && !isUnknown(news.configuration)) {
    config = parsed;
    if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config))) {
      checker.fail(
        "configuration",
        'The configuration must be a JSON object such as { "configuration": { "<extension name>": { ... } } }.',
      );
      config = undefined;
    }
  }
  return { config, hasConfig };
}

/**
 * check, step 3: the package built (folder) or read (.zip) and validated as it will be uploaded,
 * recorded in `inputs` (addonId, version, packageSha256, packageFileName) so that diff is cheap
 * and preview shows content changes; the configuration checked against its manifest.
 */
async function inspectSource(
  checker: InputChecker,
  olds: RawInputs,
  news: RawInputs,
  inputs: RawInputs,
  { config, hasConfig }: { config: unknown; hasConfig: boolean },
): Promise<void> {
  if (typeof news.source !== "string" || isUnknown(news.source)) return;
  // The code `pulumi import` writes has `source: ""`: step 1 said to declare it, once.
  if (isImported(olds) && news.source.trim() === "") return;
  const source = news.source;
  try {
    const pkg = await inspectPackage(source);
    Object.assign(inputs, {
      addonId: pkg.manifest.id,
      version: pkg.manifest.version,
      packageSha256: pkg.sha256,
      packageFileName: ownedPackageFileName(pkg.manifest, pkg.fileName, ownerKeyOf(olds, news)),
    });
    const expected = news.expectedPackageSha256;
    if (typeof expected === "string" && !isUnknown(expected) && expected.toLowerCase() !== pkg.sha256) {
      checker.fail(
        "expectedPackageSha256",
        `The package built from ${source} has sha256 ${pkg.sha256}, but expectedPackageSha256 is ${expected}: ` +
          "this is not the package that was approved. Fix: deploy from the same source (commit) that produced the expected package, or update expectedPackageSha256.",
      );
    }
    if (config !== undefined) {
      try {
        validateConfiguration(config, pkg.manifest);
      } catch (e) {
        checker.fail("configuration", renderError(e));
      }
    } else if (!hasConfig && String(pkg.manifest.requireConfiguration).toLowerCase() === "yes") {
      checker.fail(
        "configuration",
        `The manifest of "${pkg.manifest.id}" says requireConfiguration: yes, so the add-on would wait for a configuration forever. Fix: set \`configuration\` on this AddonPackage.`,
      );
    }
  } catch (e) {
    if (!(e instanceof PackageError)) throw e;
    checker.fail("source", renderError(e));
  }
}

/** check, step 4: the settings are there, and an identity that will write holds the Administrator role (preview says so now). */
async function preflightDeploy(olds: RawInputs, news: RawInputs, inputs: RawInputs): Promise<void> {
  const creds = news.credentials as Partial<Credentials> | null | undefined;
  // Settings must be there; if this will write, the deploying identity needs the Administrator role.
  const session = getSession();
  const isNew = !olds || Object.keys(olds).length === 0;
  const writes = isNew || changedKeys(olds, inputs, [...CHECKED_KEYS, "enabled"]).length > 0 || isUnknown(news.configuration);
  if (!isUnknown(creds)) {
    const identity = identityFor(
      session,
      inputs as Pick<AddonPackageInputs, "credentials">,
      "deploy add-ons (or set `credentials` on the AddonPackage)",
    );
    // the Add-ons URL is needed too: fail now rather than at `up`
    new AddonsClient(session, identity);
    if (writes && typeof inputs.addonId === "string") {
      await preflightIfReachable(session, identity, `upload the add-on package ${inputs.packageFileName ?? inputs.addonId}`);
    }
  }
}

async function check(olds: RawInputs, news: RawInputs): Promise<pulumi.dynamic.CheckResult> {
  return guarded(async () => {
    const checker = new InputChecker(RESOURCE, news);
    checkInputForms(checker, olds, news);
    const inputs: RawInputs = { ...news };
    for (const k of CHECKED_KEYS) delete inputs[k];
    // The key the add-on was created with stays (a renamed stack keeps recognising its add-on).
    const ownerKey = ownerKeyOf(olds, news);
    if (ownerKey) inputs.ownerKey = ownerKey;
    const configuration = readConfiguration(checker, news);
    await inspectSource(checker, olds, news, inputs, configuration);
    const { config, hasConfig } = configuration;
    if (config !== undefined) inputs.configurationSha256 = configurationSha256(config);
    else if (hasConfig) inputs.configurationSha256 = undefined; // unknown in preview: diff treats it as changed
    if (checker.failures.length) return { inputs, failures: checker.failures };
    await preflightDeploy(olds, news, inputs);
    return { inputs: compact(inputs) };
  });
}

async function preflightIfReachable(session: Session, identity: Identity, action: string): Promise<void> {
  try {
    await session.preflight(identity, ROLE_ADDONS_ADMIN, { action, service: ADDONS_SERVICE, audience: ADDONS_AUDIENCE });
  } catch (e) {
    // Definite answers about the identity fail the preview (errors/codes.ts); an unreachable
    // service is reported by `up`, with retries.
    if (isDefiniteAboutIdentity(e)) throw e;
  }
}

async function diff(_id: string, olds: AddonPackageState, news: AddonPackageInputs): Promise<pulumi.dynamic.DiffResult> {
  return guarded(async () => {
    const replaces = news.addonId !== undefined && !isUnknown(news.addonId) && changed(olds.addonId, news.addonId) ? ["addonId"] : [];
    const sourceUnknown = isUnknown(news.source) || news.packageSha256 === undefined;
    const contentChanged = sourceUnknown || changedKeys(olds, news, ["packageSha256", "version"]).length > 0;
    const configChanged = isUnknown(news.configuration) || changed(olds.configurationSha256, news.configurationSha256);
    const wantEnabled = withDefault(news.enabled, true);
    const enabledChanged =
      isUnknown(wantEnabled) || wantEnabled !== withDefault(olds.enabled, true) || (wantEnabled && olds.status === "Disabled");
    // New credentials (e.g. a rotated secret) change nothing on the service, but state must hold
    // them: read and delete run as this identity later.
    const credentialsChanged = changed(olds.credentials, news.credentials);
    // Inputs that only steer the provider (no server call of their own) must still reach state.
    const settingsChanged = changedKeys(olds, news, ["activationTimeoutSeconds", "adopt", "expectedPackageSha256"]).length > 0;
    return {
      changes: replaces.length > 0 || contentChanged || configChanged || enabledChanged || credentialsChanged || settingsChanged,
      replaces, // replaced delete-first: see deleteFirst() (the resource option wins over a diff's say)
    };
  });
}

async function deploy(
  id: string | undefined,
  olds: AddonPackageState | undefined,
  news: AddonPackageInputs,
): Promise<{ id: string; outs: AddonPackageState }> {
  const session = getSession();
  const identity = identityFor(session, news, "deploy add-ons (or set `credentials` on the AddonPackage)");
  const client = new AddonsClient(session, identity);
  const ownerKey = ownerKeyOf(olds, news);
  const prepared = await preparePackage(news.source);
  assertApprovedPackage(news, prepared.sha256);
  // Our uploads carry our COUNTER in the file name: the service keeps it (ownership.ts).
  const pkg = { ...prepared, fileName: ownedPackageFileName(prepared.manifest, prepared.fileName, ownerKey) };
  const owns = (held: AddonMetadata) => isOwnAddon(held, ownerKey);
  const addonId = pkg.manifest.id;
  const action = `upload the add-on package ${pkg.fileName}`;
  await session.preflight(identity, ROLE_ADDONS_ADMIN, { action, service: ADDONS_SERVICE, audience: ADDONS_AUDIENCE });

  const config = news.configuration === undefined || news.configuration === null ? undefined : parseConfiguration(news.configuration);
  const configSha = config === undefined ? undefined : configurationSha256(config);
  const inputs: AddonPackageInputs = {
    ...news,
    ownerKey,
    addonId,
    version: pkg.manifest.version,
    packageSha256: pkg.sha256,
    packageFileName: pkg.fileName,
  };

  let meta = await client.get(addonId);
  // Found at create: ours when an interrupted `up` uploaded it (our COUNTER), else someone else's.
  if (!olds && meta && !news.adopt && !owns(meta)) throw addonOwnedElsewhere(meta, pkg.fileName);
  let uploaded = false;
  try {
    if (!meta) {
      // Without a COUNTER of ours (no key, or no version), the same bytes are all there is to go by.
      const marked = isOwnAddon({ id: addonId, packageFileName: pkg.fileName }, ownerKey);
      const ownership = marked ? { owns, ownedElsewhere: (held: AddonMetadata) => addonOwnedElsewhere(held, pkg.fileName) } : undefined;
      meta = await client.upload(pkg, addonId, "new", ownership);
      uploaded = true;
    } else if (meta.packageSha256 !== pkg.sha256) {
      meta = await client.upload(pkg, addonId, "replace");
      uploaded = true;
    }
  } catch (e) {
    // No clear answer to a new upload: it may have landed. Keep the add-on in state (the next
    // `up` looks at what the service holds, and refresh drops it if it is not there).
    if (olds || !isAmbiguousFailure(e)) throw e;
    throw new PartialFailure(e, addonId, addonStateFromMetadata(inputs, { id: addonId, status: "Unknown" }, undefined));
  }
  // From here on the add-on exists: any failure is recorded as a partial create/update.
  let serverConfigSha = meta.configurationSha256 ?? undefined;
  try {
    if (configSha !== undefined && (uploaded || serverConfigSha !== configSha)) {
      await client.putConfiguration(addonId, config);
      serverConfigSha = configSha;
    } else if (configSha === undefined && (meta.hasConfiguration || serverConfigSha)) {
      await client.deleteConfiguration(addonId);
      serverConfigSha = undefined;
    }
    const wantEnabled = withDefault(news.enabled, true);
    meta = (await client.get(addonId)) ?? meta;
    if (!wantEnabled && meta.status !== "Disabled") meta = await client.setEnabled(addonId, false);
    if (wantEnabled && (meta.status === "Disabled" || (olds && olds.enabled === false))) meta = await client.setEnabled(addonId, true);
    if (wantEnabled)
      meta = await waitForActivation(
        client,
        addonId,
        withDefault(news.activationTimeoutSeconds, DEFAULT_ACTIVATION_TIMEOUT_SECONDS),
        configSha !== undefined,
        meta,
      );
    return { id: addonId, outs: addonStateFromMetadata(inputs, meta, configSha ?? serverConfigSha) };
  } catch (e) {
    const latest = (await client.get(addonId).catch(() => undefined)) ?? meta;
    throw new PartialFailure(e, id ?? addonId, addonStateFromMetadata(inputs, latest, latest.configurationSha256 ?? serverConfigSha));
  }
}

/**
 * The package is built again from `source` at deploy, and the source may have changed since check
 * (a build, a checkout, a hostile writer): upload it only when its sha256 is the one check recorded
 * (what preview showed) and, when set, `expectedPackageSha256`. Checked before any call to a
 * service, so nothing is uploaded.
 */
function assertApprovedPackage(news: AddonPackageInputs, built: string): void {
  const previewed = typeof news.packageSha256 === "string" && !isUnknown(news.packageSha256) ? news.packageSha256.toLowerCase() : undefined;
  const expected =
    typeof news.expectedPackageSha256 === "string" && !isUnknown(news.expectedPackageSha256)
      ? news.expectedPackageSha256.toLowerCase()
      : undefined;
  const differs: string[] = [];
  if (previewed !== undefined && previewed !== built) differs.push(`check recorded (and preview showed) ${previewed}`);
  if (expected !== undefined && expected !== built) differs.push(`expectedPackageSha256 is ${expected}`);
  if (differs.length === 0) return;
  throw new TridionError(
    "PACKAGE_MISMATCH",
    `The package built from ${news.source} for upload has sha256 ${built}, but ${differs.join(", and ")}: ` +
      `${previewed !== undefined && previewed !== built ? "the source changed after it was checked" : "this is not the package that was approved"}, so nothing was uploaded.`,
    {
      fix:
        "make sure nothing writes to the source while `pulumi up` runs, run `pulumi preview` again and deploy what it shows; " +
        "if a new package is intended, update expectedPackageSha256 to its sha256.",
      details: { built, previewed, expected },
    },
  );
}

/** The add-on exists, and not from this resource: another stack, or a person, owns it. Never taken over silently. */
function addonOwnedElsewhere(meta: AddonMetadata, ourFileName: string): TridionError {
  const uploadedAs = meta.packageFileName ? `uploaded as ${meta.packageFileName}` : "uploaded under an unknown file name";
  return new TridionError(
    "ADDON_EXISTS",
    `Cannot create the add-on "${meta.id}": the Add-ons Service already holds an add-on with that id (version ${meta.version ?? "?"}, status ${meta.status ?? "?"}, ${uploadedAs}), and this resource did not create it (its uploads are named ${ourFileName}): another stack or a person owns it.`,
    {
      fix: "if this stack should own it, set `adopt: true` on this AddonPackage to take it over (its package and configuration are replaced by yours, and `pulumi destroy` deletes it); if another stack owns it, remove the add-on from one of the two programs.",
      details: { addonId: meta.id, packageFileName: meta.packageFileName },
      status: 409,
    },
  );
}

/** Poll until the status leaves PendingActivation; Failed (or a timeout) is an error quoting the service. */
async function waitForActivation(
  client: AddonsClient,
  id: string,
  timeoutSeconds: number,
  hasConfig: boolean,
  initial: AddonMetadata,
): Promise<AddonMetadata> {
  return poll(client.policy, {
    first: initial,
    timeoutMs: timeoutSeconds * 1000,
    settled: (meta) => {
      if (isFailed(meta.status)) {
        throw new TridionError("ACTIVATION_FAILED", activationFailure(meta), {
          fix: "correct the extension named above (its files, manifest properties or configuration) and deploy a new version; the add-on stays on the service so you can inspect it.",
          details: { addonId: meta.id, status: meta.status },
        });
      }
      const waitingForConfig = meta.status === "WaitingForConfiguration" && hasConfig;
      return meta.status !== "PendingActivation" && !waitingForConfig;
    },
    next: async (last) => (await client.get(id)) ?? last,
    onTimeout: (meta) =>
      new TridionError(
        "ACTIVATION_TIMEOUT",
        `The add-on "${id}" is still ${meta.status} after ${timeoutSeconds} s: Content Manager and Content Delivery have not reported loading it yet.` +
          `${meta.message ? ` The service says: "${meta.message}".` : ""}`,
        {
          fix: "check that those services are running and can reach the Add-ons Service, then run `pulumi up` again; or raise activationTimeoutSeconds (0 = do not wait).",
          details: { addonId: id, status: meta.status, timeoutSeconds },
        },
      ),
  });
}

function isFailed(status: string | undefined): boolean {
  return status === "Failed" || status === "Fail";
}

function activationFailure(meta: AddonMetadata): string {
  const lines = [`The add-on "${meta.id}" ${meta.version ?? ""} failed to activate (status ${meta.status}).`.replace("  ", " ")];
  if (meta.message) lines.push(`The service says: "${meta.message}".`);
  for (const ext of meta.extensions ?? []) {
    if (ext.message || isFailed(ext.status))
      lines.push(
        `Extension ${ext.name}${ext.type ? ` (${ext.type})` : ""}: ${ext.status ?? "?"}${ext.message ? ` — "${ext.message}"` : ""}.`,
      );
  }
  return lines.join(" ");
}

async function create(inputs: AddonPackageInputs): Promise<pulumi.dynamic.CreateResult> {
  return guarded(async () => {
    const { id, outs } = await deploy(undefined, undefined, inputs);
    return { id, outs };
  });
}

async function update(id: string, olds: AddonPackageState, news: AddonPackageInputs): Promise<pulumi.dynamic.UpdateResult> {
  return guarded(async () => {
    const { outs } = await deploy(id, olds, news);
    return { outs };
  });
}

/**
 * Run as the identity recorded in state; if Access Management no longer accepts it (its secret
 * was rotated or revoked) and the provider has its own identity, run as that one instead.
 */
async function asRecordedIdentity<T>(
  session: Session,
  props: AddonPackageState,
  purpose: string,
  fn: (client: AddonsClient) => Promise<T>,
): Promise<T> {
  const identity = identityFor(session, props, purpose);
  try {
    return await fn(new AddonsClient(session, identity));
  } catch (e) {
    // Rejected credentials (401), or a deployer that lost its role since (403 from preflight).
    const rejected = isIdentityRefused(e);
    if (!rejected || !props.credentials || !session.hasDefaultIdentity()) throw e;
    return fn(new AddonsClient(session, session.defaultIdentity(purpose)));
  }
}

async function read(id: string, props: AddonPackageState): Promise<pulumi.dynamic.ReadResult> {
  return guarded(() =>
    asRecordedIdentity(getSession(), props, "read add-ons (or set `credentials` on the AddonPackage)", (client) =>
      readWith(client, id, props),
    ),
  );
}

async function readWith(client: AddonsClient, id: string, props: AddonPackageState): Promise<pulumi.dynamic.ReadResult> {
  const meta = await client.get(id);
  if (!meta) return {}; // deleted out of band: the engine drops it from state
  // An import (an id, no state): the configuration itself is read, to become an input.
  const importing = props.addonId === undefined && props.source === undefined;
  let configSha: string | undefined;
  let configuration: unknown;
  if (meta.configurationSha256 !== undefined && !importing) configSha = meta.configurationSha256 ?? undefined;
  else if (meta.hasConfiguration !== false || (importing && meta.configurationSha256)) {
    const config = await client.getConfiguration(id);
    const none = config === undefined || config === null || config === "";
    configSha = none ? undefined : configurationSha256(config);
    if (importing && !none) configuration = typeof config === "string" ? parseConfiguration(config) : config;
  }
  // The service has no "enabled" flag of its own: Disabled means off, any other status means on.
  const known = importing ? { configuration: configuration as AddonPackageInputs["configuration"] } : props;
  const outs = addonStateFromMetadata(
    { ...known, enabled: enabledFromStatus(meta.status, props.enabled) } as AddonPackageInputs,
    meta,
    configSha,
  );
  return { id, props: outs, inputs: inputsFromState(outs) };
}

async function remove(id: string, props: AddonPackageState): Promise<void> {
  return guarded(async () => {
    const session = getSession();
    await asRecordedIdentity(session, props, "delete add-ons (or set `credentials` on the AddonPackage)", async (client) => {
      await session.preflight(client.identity, ROLE_ADDONS_ADMIN, {
        action: `delete the add-on "${id}"`,
        service: ADDONS_SERVICE,
        audience: ADDONS_AUDIENCE,
      });
      await client.delete(id);
    });
  });
}

export const addonPackageProvider: Omit<EngineProvider, "configure"> = { check, diff, create, read, update, delete: remove };
