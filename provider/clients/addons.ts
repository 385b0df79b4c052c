// Add-ons Service client (docs/tridion-contract.md §3.2): metadata, uploads, status, custom configuration.
// Uploads stream the ZIP as multipart field `file`; after an ambiguous failure (connection
// dropped, 5xx, timeout) the client looks at what the server holds before it uploads again.
import * as fs from "node:fs";
import * as crypto from "node:crypto";
import { Readable } from "node:stream";
import { requireSetting } from "../config";
import { hasCode, TridionError, unlessNotFound } from "../errors/tridionError";
import { backoff, delayBeforeRetry, failureKind, sleep } from "../http/policy";
import type { OperationContext } from "./errorTranslation";
import type { Session } from "./session";
import type { Identity } from "./tokens";
import { ADDONS_SERVICE, ROLE_ADDONS_ADMIN } from "./tridionApis";

export type AddonStatus = "WaitingForConfiguration" | "PendingActivation" | "Success" | "Failed" | "Fail" | "Disabled" | string;

export interface ExtensionMetadata {
  name: string;
  type?: string;
  status?: string;
  message?: string;
}

export interface AddonMetadata {
  id: string;
  name?: string;
  version?: string;
  author?: string;
  description?: string;
  manifestVersion?: string;
  requireConfiguration?: string;
  status?: AddonStatus;
  message?: string;
  packageFileName?: string;
  packageSize?: number;
  packageSha256?: string;
  uploadedAt?: string;
  hasConfiguration?: boolean;
  configurationSha256?: string | null;
  extensions?: ExtensionMetadata[];
}

/** What the client needs of a prepared package (packaging's inspectPackage result). */
export interface PackageFile {
  filePath: string;
  fileName: string;
  sha256: string;
  size: number;
}

const SERVICE = ADDONS_SERVICE;

export class AddonsClient {
  private readonly base: string;

  constructor(
    private readonly session: Session,
    readonly identity: Identity,
  ) {
    this.base = requireSetting(session.settings, "addonsUrl", "reach the Add-ons Service");
  }

  /** How this client's calls retry and how callers should pace a poll of it. */
  get policy() {
    return this.session.http.policy;
  }

  private url(key: "addons" | "addon" | "addonStatus" | "addonConfiguration", id?: string): string {
    return this.session.routes.url(this.base, key, id === undefined ? {} : { id });
  }

  private ctx(action: string, extra: Partial<OperationContext> = {}): Omit<OperationContext, "identity"> {
    return { action, service: SERVICE, ...extra };
  }

  /** Every add-on the service holds (the list route: `pulumi-tridion doctor` reads it). */
  async list(): Promise<AddonMetadata[]> {
    const url = this.url("addons");
    const res = await this.session.call<AddonMetadata[]>(this.identity, { url }, this.ctx("list the add-ons"));
    if (!Array.isArray(res.data)) {
      throw new TridionError(
        "UNEXPECTED_ANSWER",
        `Cannot list the add-ons: the Add-ons Service answered GET ${url}, but not with a JSON array of add-ons. ` +
          'Fix: check that tridion:addonsUrl is the Add-ons Service\'s base URL (e.g. https://host:83/addon) and that tridion:routes ("addons") matches your installation.',
      );
    }
    return res.data;
  }

  /** Metadata of one add-on, or undefined when the service does not hold it. */
  get(id: string): Promise<AddonMetadata | undefined> {
    return unlessNotFound(
      async () =>
        (await this.session.call<AddonMetadata>(this.identity, { url: this.url("addon", id) }, this.ctx(`read the add-on "${id}"`))).data,
    );
  }

  /** Upload a new add-on (POST) or replace an existing one's package (PUT). */
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
    const maxAttempts = this.session.settings.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.session.call<AddonMetadata>(
          this.identity,
          {
            url: mode === "new" ? this.url("addons") : this.url("addon", addonId),
            method: mode === "new" ? "POST" : "PUT",
            data: () => multipartBody(pkg),
            retry: "never", // decided below, after looking at the server
          },
          ctx,
        );
        return res.data;
      } catch (error) {
        // A 409 may be an earlier attempt (or an interrupted run) of ours, landed: look.
        if (mode === "new" && hasCode(error, "CONFLICT")) {
          const held = await this.get(addonId).catch(() => undefined);
          if (held && ours(held)) return held;
          if (held && ownership) throw ownership.ownedElsewhere(held);
          if (attempt === 1) throw error;
        }
        if (failureKind(error) === "final" && !hasCode(error, "CONFLICT")) throw error;
        const policy = this.session.http.policy;
        const wait = delayBeforeRetry(policy, attempt, (error as TridionError).transport?.retryAfter);
        const again = attempt < maxAttempts && wait !== undefined;
        await sleep(again ? wait : backoff(policy, attempt));
        // Look first, even after the last attempt: the upload may have landed though we saw no answer.
        const held = await this.get(addonId).catch(() => undefined);
        if (held && ours(held)) return held;
        if (mode === "new" && held && ownership) throw ownership.ownedElsewhere(held);
        if (mode === "new" && held) {
          throw new TridionError(
            "ADDON_FOREIGN_CONTENT",
            `Cannot ${action}: after a failed attempt the service holds an add-on "${addonId}" with other content (sha256 ${held.packageSha256 ?? "unknown"}), uploaded by someone else meanwhile. Fix: set \`adopt: true\` to take it over, or remove it from the service.`,
          );
        }
        if (!again) throw error;
      }
    }
  }

  async setEnabled(id: string, enabled: boolean): Promise<AddonMetadata> {
    const res = await this.session.call<AddonMetadata>(
      this.identity,
      { url: this.url("addonStatus", id), method: "PUT", data: { enabled } },
      this.ctx(`${enabled ? "enable" : "disable"} the add-on "${id}"`, { neededRole: ROLE_ADDONS_ADMIN }),
    );
    return res.data;
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

  async putConfiguration(id: string, configuration: unknown): Promise<void> {
    await this.session.call(
      this.identity,
      { url: this.url("addonConfiguration", id), method: "PUT", data: configuration, headers: { "Content-Type": "application/json" } },
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
 * The package as multipart/form-data field `file`, streamed from disk in 1 MiB reads: a 1 GB
 * package never sits in memory, and large reads keep the upload close to curl's throughput.
 */
function multipartBody(pkg: PackageFile): { data: Readable; headers: Record<string, string | number> } {
  const boundary = `----pulumi-tridion-${crypto.randomBytes(12).toString("hex")}`;
  const fileName = pkg.fileName.replace(/["\\\r\n]/g, "_");
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/zip\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* parts() {
    yield head;
    yield* fs.createReadStream(pkg.filePath, { highWaterMark: 1 << 20 });
    yield tail;
  }
  return {
    data: Readable.from(parts(), { objectMode: false }),
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": head.length + pkg.size + tail.length },
  };
}
