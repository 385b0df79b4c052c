// What the emulator holds, and its persistence: one JSON file (state.json) plus package files.
// Writes are atomic (temp file + rename) so a crash never leaves half a state behind.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";

export interface AccessSetting {
  api: string;
  role: string;
}

export interface SecretRecord {
  id: string;
  /** sha256(salt + secret) in hex; the value itself is never stored. */
  hash: string;
  salt: string;
  createdAt: string;
  /** null for the bootstrap secrets printed by the CLI (they do not expire unless shortened). */
  expiresAt: string | null;
  description?: string;
}

export type AccountKind = "user" | "serviceAccount";

export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  displayName?: string;
  email?: string;
  description?: string;
  clientId: string;
  accessSettings: AccessSetting[];
  predefined: boolean;
  /** Users only: "identityProvider" = seen at login and not yet adopted; "api" = created or adopted via the API. */
  origin?: "identityProvider" | "api";
  createdAt: string;
  secrets: SecretRecord[];
}

export interface ExtensionReport {
  environment: string;
  status: "Success" | "Failed";
  message: string;
  reportedAt: string;
}

export interface AddonRecord {
  id: string;
  name: string;
  version: string;
  author: string;
  description: string;
  manifestVersion: string;
  requireConfiguration: "yes" | "no" | "optional";
  packageFileName: string;
  packageSize: number;
  packageSha256: string;
  uploadedAt: string;
  extensions: Array<{ name: string; type: string; loadErrors: string[] }>;
  enabled: boolean;
  /** When the consuming services started (re)loading: upload, configuration change, enable. */
  activationStartedAt: string;
  configuration?: unknown;
  configurationSha256?: string;
  reports: Record<string, ExtensionReport[]>;
}

export type BootstrapRole = "admin" | "addonsService";

/** Remembers that a bootstrap secret was issued, so a restart never re-issues a revoked one. */
export interface IssuedBootstrapSecret {
  issuedAt: string;
  /** The value came from --admin-client-secret (not derived from the signing key). */
  explicit: boolean;
}

export interface State {
  formatVersion: 1;
  productVersion: string;
  bootstrap: {
    adminAccountId: string;
    addonsServiceAccountId: string;
    /** Absent in data dirs written before it existed (those re-created the secrets on every start). */
    issuedSecrets?: Partial<Record<BootstrapRole, IssuedBootstrapSecret>>;
  };
  accounts: Account[];
  addons: AddonRecord[];
}

export class Store {
  readonly packagesDir: string;
  readonly tmpDir: string;
  private readonly stateFile: string | undefined;
  private readonly ownedTempRoot: string | undefined;

  private constructor(
    readonly dataDir: string | undefined,
    public state: State | undefined,
    root: string,
    ownedTempRoot: string | undefined,
  ) {
    this.packagesDir = path.join(root, "packages");
    this.tmpDir = path.join(root, "tmp");
    this.stateFile = dataDir ? path.join(dataDir, "state.json") : undefined;
    this.ownedTempRoot = ownedTempRoot;
    fs.mkdirSync(this.packagesDir, { recursive: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  /** Opens the data dir (or an in-memory store whose package files live in a temp dir removed on close). */
  static open(dataDir: string | undefined): Store {
    if (!dataDir) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-emulator-"));
      return new Store(undefined, undefined, root, root);
    }
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, "state.json");
    const state = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as State) : undefined;
    return new Store(dataDir, state, dataDir, undefined);
  }

  get data(): State {
    if (!this.state) throw new Error("emulator state not initialised");
    return this.state;
  }

  save(): void {
    if (!this.stateFile || !this.state) return;
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.stateFile);
  }

  /** Package files are named by a hash of the add-on id, so any id is a safe file name. */
  packagePath(addonId: string): string {
    return path.join(this.packagesDir, `${createHash("sha256").update(addonId).digest("hex")}.zip`);
  }

  close(): void {
    this.save();
    if (this.ownedTempRoot) fs.rmSync(this.ownedTempRoot, { recursive: true, force: true });
  }
}
