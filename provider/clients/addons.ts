// Add-ons Service client (docs/tridion-contract.md §3.2): metadata, uploads, status, custom configuration.
// Uploads stream the ZIP as a multipart file (field `file`, or the route profile's
// addonPackageField); after an ambiguous failure (connection dropped, 5xx, timeout) the client
// looks at what the server holds before it uploads again. Every answer it returns is read by
// addonAnswers.ts: field names in any letter case, statuses in any documented spelling, and an
// error naming the field and the route when something the provider needs is not there.
import * as fs from "node:fs";
import * as crypto from "node:crypto";
import { Readable } from "node:stream";
import { addonForms, requireSetting, type AddonForms } from "../config";
import { hasCode, TridionError, unlessNotFound } from "../errors/tridionError";
import { failureKind } from "../http/policy";
import { retryUnlessLanded } from "../http/waiting";
import { NEEDED_FOR_DEPLOY, NEEDED_FOR_LIST, readAddonList, readAddonMetadata, type AddonMetadata } from "./addonAnswers";
import type { OperationContext } from "./errorTranslation";
import type { Session } from "./session";
import type { Identity } from "./tokens";
import { ADDONS_SERVICE, ROLE_ADDONS_ADMIN } from "./tridionApis";

export type { AddonMetadata, AddonStatus, ExtensionMetadata } from "./addonAnswers";

/** What the client needs of a prepared package (packaging's inspectPackage result). */
export interface PackageFile {
  filePath: string;
  fileName: string;
  sha256: string;
  size: number;
}

type AddonRouteKey = "addons" | "addon" | "addonStatus" | "addonConfiguration";

/** An answer without a body: some services answer a write with 204 or an empty 200. */
const isEmpty = (body: unknown) => body === undefined || body === null || body === "";

const SERVICE = ADDONS_SERVICE;

export class AddonsClient {
  private readonly base: string;
  private readonly forms: AddonForms;

  constructor(
    private readonly session: Session,
    readonly identity: Identity,
  ) {
    this.base = requireSetting(session.settings, "addonsUrl", "reach the Add-ons Service");
    this.forms = addonForms(session.settings.routes);
  }

  /** How this client's calls retry and how callers should pace a poll of it. */
  get policy() {
    return this.session.http.policy;
  }

  private url(key: AddonRouteKey, id?: string): string {
    return this.session.routes.url(this.base, key, id === undefined ? {} : { id });
  }

  /** Where an answer came from, for its errors: the route template, never an id or a host. */
  private source(action: string, method: string, routeKey: AddonRouteKey) {
    return { action, method, routeKey, route: this.session.routes.template(routeKey) };
  }

  private ctx(action: string, extra: Partial<OperationContext> = {}): Omit<OperationContext, "identity"> {
    return { action, service: SERVICE, ...extra };
  }

  /** Every add-on the service holds (the list route: `pulumi-tridion doctor` reads it). */
  async list(): Promise<AddonMetadata[]> {
    const action = "list the add-ons";
    const res = await this.session.call<unknown>(this.identity, { url: this.url("addons") }, this.ctx(action));
    return readAddonList(res.data, this.source(action, "GET", "addons"), NEEDED_FOR_LIST);
  }

  /** Metadata of one add-on, or undefined when the service does not hold it. */
  async get(id: string): Promise<AddonMetadata | undefined> {
    const action = `read the add-on "${id}"`;
    const res = await unlessNotFound(() => this.session.call<unknown>(this.identity, { url: this.url("addon", id) }, this.ctx(action)));
    return res && readAddonMetadata(res.data, this.source(action, "GET", "addon"), NEEDED_FOR_DEPLOY);
  }

  /** What the service holds after a failed write; undefined when that cannot be seen (an answer it cannot read is an error). */
  private look(id: string): Promise<AddonMetadata | undefined> {
    return this.get(id).catch((error: unknown) => {
      if (hasCode(error, "UNEXPECTED_ANSWER")) throw error;
      return undefined;
    });
  }

  /** An add-on a write answered with; an empty answer (204) is read back with GET. */
  private async answeredAddon(body: unknown, id: string, source: ReturnType<AddonsClient["source"]>): Promise<AddonMetadata> {
    if (!isEmpty(body)) return readAddonMetadata(body, source, NEEDED_FOR_DEPLOY);
    const held = await this.get(id);
    if (held) return held;
    throw new TridionError(
      "UNEXPECTED_ANSWER",
      `Cannot ${source.action}: the Add-ons Service answered ${source.method} ${source.route} without a body, and then does not hold the add-on "${id}".`,
      { fix: `run \`npx pulumi-tridion doctor\` to check the routes (tridion:routes "${source.routeKey}" and "addon").` },
    );
  }

  /**
   * POST (new) or PUT (replace) a package. POST is never retried blindly: after an unclear
   * attempt, or a 409, the service is asked what it holds. `ownership` tells our own add-on (one
   * an earlier attempt or an interrupted run uploaded) from someone else's; without it, the same
   * bytes count as ours.
   */
  async upload(
    pkg: PackageFile,
    addonId: string,
    mode: "new" | "replace",
    ownership?: { owns(held: AddonMetadata): boolean; ownedElsewhere(held: AddonMetadata): Error },
  ): Promise<AddonMetadata> {
    const ours = (held: AddonMetadata) => held.packageSha256 === pkg.sha256 && (mode === "replace" || !ownership || ownership.owns(held));
    const action =
      mode === "new" ? `upload the add-on package ${pkg.fileName}` : `replace the package of the add-on "${addonId}" with ${pkg.fileName}`;
    const ctx = this.ctx(action, {
      neededRole: ROLE_ADDONS_ADMIN,
      conflict: {
        explain: `An add-on with the id "${addonId}" already exists.`,
        fix: "set `adopt: true` on this AddonPackage to take it over.",
      },
    });
    const source = mode === "new" ? this.source(action, "POST", "addons") : this.source(action, "PUT", "addon");
    type Outcome = { answer: unknown } | { held: AddonMetadata };
    /** What the server holds after a failed attempt: ours (the attempt landed), someone else's (stop), or nothing (send again). */
    const landed = (held: AddonMetadata | undefined): Outcome | undefined => {
      if (held && ours(held)) return { held };
      if (mode === "new" && held && ownership) throw ownership.ownedElsewhere(held);
      if (mode === "new" && held) {
        throw new TridionError(
          "ADDON_FOREIGN_CONTENT",
          `Cannot ${action}: after a failed attempt the service holds an add-on "${addonId}" with other content (sha256 ${held.packageSha256 ?? "unknown"}), uploaded by someone else meanwhile.`,
          { fix: "set `adopt: true` to take it over, or remove it from the service." },
        );
      }
      return undefined;
    };
    const outcome = await retryUnlessLanded<Outcome>(this.session.http.policy, this.session.settings.maxRetries + 1, {
      send: async () => {
        const res = await this.session.call<unknown>(
          this.identity,
          {
            url: mode === "new" ? this.url("addons") : this.url("addon", addonId),
            method: source.method,
            data: () =>
              multipartFile(this.forms.addonPackageField, pkg.fileName, "application/zip", { path: pkg.filePath, size: pkg.size }),
            retry: "never", // decided by retryUnlessLanded, after looking at the server
          },
          ctx,
        );
        return { answer: res.data };
      },
      onFailure: async (error, attempt) => {
        // A 409 may be an earlier attempt (or an interrupted run) of ours, landed: look at once.
        if (mode === "new" && hasCode(error, "CONFLICT")) {
          const held = await this.look(addonId);
          if (held && ours(held)) return { held };
          if (held && ownership) throw ownership.ownedElsewhere(held);
          if (attempt === 1) throw error;
          return undefined;
        }
        if (failureKind(error) === "final" && !hasCode(error, "CONFLICT")) throw error;
        return undefined;
      },
      look: async () => landed(await this.look(addonId)),
      retryAfter: (error) => (error as TridionError).transport?.retryAfter,
    });
    // Outside the retry: an answer the provider cannot read is no reason to upload again.
    return "held" in outcome ? outcome.held : this.answeredAddon(outcome.answer, addonId, source);
  }

  async setEnabled(id: string, enabled: boolean): Promise<AddonMetadata> {
    const action = `${enabled ? "enable" : "disable"} the add-on "${id}"`;
    const res = await this.session.call<unknown>(
      this.identity,
      { url: this.url("addonStatus", id), method: "PUT", data: { enabled } },
      this.ctx(action, { neededRole: ROLE_ADDONS_ADMIN }),
    );
    return this.answeredAddon(res.data, id, this.source(action, "PUT", "addonStatus"));
  }

  getConfiguration(id: string): Promise<unknown | undefined> {
    return unlessNotFound(
      async () =>
        (
          await this.session.call<unknown>(
            this.identity,
            { url: this.url("addonConfiguration", id) },
            this.ctx(`read the configuration of the add-on "${id}"`),
          )
        ).data,
    );
  }

  /** As a JSON body, or (addonConfigurationTransport "file") as a multipart file part `{id}.config.json`. */
  async putConfiguration(id: string, configuration: unknown): Promise<void> {
    const json = JSON.stringify(configuration);
    const request =
      this.forms.addonConfigurationTransport === "file"
        ? {
            data: () =>
              multipartFile(this.forms.addonConfigurationField, `${id}.config.json`, "application/json", {
                bytes: Buffer.from(json, "utf8"),
              }),
          }
        : { data: json, headers: { "Content-Type": "application/json" } };
    await this.session.call(
      this.identity,
      { url: this.url("addonConfiguration", id), method: "PUT", ...request },
      this.ctx(`upload the custom configuration of the add-on "${id}"`, { neededRole: ROLE_ADDONS_ADMIN }),
    );
  }

  async deleteConfiguration(id: string): Promise<void> {
    await unlessNotFound(() =>
      this.session.call(
        this.identity,
        { url: this.url("addonConfiguration", id), method: "DELETE" },
        this.ctx(`delete the custom configuration of the add-on "${id}"`, { neededRole: ROLE_ADDONS_ADMIN }),
      ),
    );
  }

  /** Delete an add-on; false when it was already gone. */
  async delete(id: string): Promise<boolean> {
    const deleted = await unlessNotFound(() =>
      this.session.call(
        this.identity,
        { url: this.url("addon", id), method: "DELETE" },
        this.ctx(`delete the add-on "${id}"`, { neededRole: ROLE_ADDONS_ADMIN }),
      ),
    );
    return deleted !== undefined;
  }
}

/**
 * One file as multipart/form-data in the field `field`; a package is streamed from disk in 1 MiB
 * reads: a 1 GB package never sits in memory, and large reads keep the upload close to curl's
 * throughput.
 */
function multipartFile(
  field: string,
  fileName: string,
  contentType: string,
  content: { path: string; size: number } | { bytes: Buffer },
): { data: Readable; headers: Record<string, string | number> } {
  const boundary = `----pulumi-tridion-${crypto.randomBytes(12).toString("hex")}`;
  const safeName = fileName.replace(/["\\\r\n]/g, "_");
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${safeName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = "bytes" in content ? content.bytes.length : content.size;
  async function* parts() {
    yield head;
    if ("bytes" in content) yield content.bytes;
    else yield* fs.createReadStream(content.path, { highWaterMark: 1 << 20 });
    yield tail;
  }
  return {
    data: Readable.from(parts(), { objectMode: false }),
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": head.length + size + tail.length },
  };
}
