import * as os from "node:os";
import * as path from "node:path";

/** Limits and cache settings; every field optional, defaults below. */
export interface PackageOptions {
  /** Largest total uncompressed size of a package (folder total, or the ZIP's declared sizes). Default 1 GiB. */
  maxUncompressedBytes?: number;
  /** ZIP bomb guard: largest uncompressed/compressed ratio of an entry bigger than 1 MiB. Default 200 (deflate tops out near 1030). */
  maxCompressionRatio?: number;
  /** Most entries (files and folders) in a package. Default 65,535. */
  maxEntries?: number;
  /** Largest manifest.json. Default 1 MiB. */
  maxManifestBytes?: number;
  /** Where built packages live (`<cacheDir>/packages/<sha256>/<ID-VERSION.zip>`). Default `$PULUMI_TRIDION_CACHE_DIR` or `<os tmpdir>/pulumi-tridion`. */
  cacheDir?: string;
  /** Reuse a package built earlier from identical folder contents. Default true. */
  useCache?: boolean;
}

export type ResolvedOptions = Required<PackageOptions>;

export const RATIO_CHECK_MIN_BYTES = 1 << 20;

export function resolveOptions(options: PackageOptions = {}): ResolvedOptions {
  return {
    maxUncompressedBytes: options.maxUncompressedBytes ?? 1024 ** 3,
    maxCompressionRatio: options.maxCompressionRatio ?? 200,
    maxEntries: options.maxEntries ?? 65_535,
    maxManifestBytes: options.maxManifestBytes ?? 1 << 20,
    cacheDir: options.cacheDir ?? process.env.PULUMI_TRIDION_CACHE_DIR ?? defaultCacheDir(),
    useCache: options.useCache ?? true,
  };
}

/**
 * Per user, never a shared temp folder: create/update upload the cached ZIP, so nobody else may
 * be able to put one there (cache.ts also creates it 0700 and checks its owner).
 */
function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "pulumi-tridion", "addon-packages");
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
