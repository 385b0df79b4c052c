// What the emulator holds, and its persistence: one JSON file (state.json) plus package files.
// Writes are atomic (temp file + rename) so a crash never leaves half a state behind.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";

/** The data dir format this emulator writes; older ones are refused (see Store.open). */
export const FORMAT_VERSION = 2;

export interface SecretRecord {
  /** int32, unique across all accounts (AM's secret ids are one sequence). */
  id: number;
  /** sha256(salt + secret) in hex; the value itself is never stored. */
  hash: string;
  salt: string;
  createdAt: string;
  expiresAt: string;
  /** Last token issued with this secret. */
  lastLoginAt: string | null;
}

export type AccountKind = "user" | "serviceAccount";

/** The links of an account's accessControlEntry, by id (AM's model: APIs, their roles, applications). */
export interface AccessLinks {
  apiResources: number[];
  apiResourceRoles: number[];
  applications: number[];
}

export interface Account {
  /** int32; users and service accounts count separately, as two tables would. */
  id: number;
  kind: AccountKind;
  name: string;
  /** Service accounts: set at creation. Users: null until their first client secret. */
  clientId: string | null;
  access: AccessLinks;
  /** Not an API field: the predefined accounts (and the emulator's bootstrap admin) cannot be changed. */
  predefined: boolean;
  createdAt: string;
  modifiedAt: string;
  lastLoginAt: string | null;
  secrets: SecretRecord[];
  /** Users only: what the identity provider told AM at sign-in. */
  user?: {
    email: string | null;
    language: string | null;
    region: string | null;
    subject: string;
    identityProviderId: number;
    identityProviderKey: string;
    isEnabled: boolean;
  };
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
  /** The secret's id on its account. */
  secretId: number;
  /** The value came from --admin-client-secret (not derived from the signing key). */
  explicit: boolean;
}

export interface State {
  formatVersion: typeof FORMAT_VERSION;
  productVersion: string;
  /** Ids of the catalog (APIs, roles, applications, identity providers) start here: they differ per installation. */
  catalogIdBase: number;
  nextIds: { user: number; serviceAccount: number; secret: number };
  bootstrap: {
    adminAccountId: number;
    addonsServiceAccountId: number;
    issuedSecrets: Partial<Record<BootstrapRole, IssuedBootstrapSecret>>;
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

  /**
   * Opens the data dir (or an in-memory store whose package files live in a temp dir removed on
   * close). A data dir of another format is refused before anything in it is touched.
   */
  static open(dataDir: string | undefined): Store {
    if (!dataDir) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "tridion-emulator-"));
      return new Store(undefined, undefined, root, root);
    }
    const file = path.join(dataDir, "state.json");
    const state = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as State) : undefined;
    if (state && state.formatVersion !== FORMAT_VERSION) {
      throw new Error(
        `The data dir ${dataDir} was written by an older emulator (format ${String(state.formatVersion)}; this one writes format ${FORMAT_VERSION}, ` +
          "whose Access Management follows RWS's published API: int32 ids, accessControlEntry, users only from sign-in). " +
          "It cannot be read. Fix: delete the data dir (or choose another --data-dir); the emulator creates a new one.",
      );
    }
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return new Store(dataDir, state, dataDir, undefined);
  }

  get data(): State {
    if (!this.state) throw new Error("emulator state not initialised");
    return this.state;
  }

  /** The next id of a sequence (int32, from 1). */
  nextId(sequence: keyof State["nextIds"]): number {
    const id = this.data.nextIds[sequence];
    this.data.nextIds[sequence] = id + 1;
    return id;
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
