// Settings live in module state of the provider process: configure() stores where they come
// from (stack config), and every operation resolves them lazily (env vars fill the gaps).
import { ConfigSource, ProviderSettings, resolveSettings, SETTINGS } from "./settings";

export * from "./settings";
export * from "./routeProfile";
export { checkUrlTransport, isLoopbackHost } from "./transport";

let source: ConfigSource = () => undefined;
let resolved: ProviderSettings | undefined;
let generation = 0;
let lastValues: string | undefined;

/**
 * Called from the dynamic provider's configure(): `get("tridion:clientId")` etc. Every resource
 * kind configures the process once with the same stack config; only a real change drops caches
 * (the session and its tokens), so an identity keeps one token per process.
 */
export function setConfigSource(get: ConfigSource): void {
  const values = JSON.stringify(Object.values(SETTINGS).map((spec) => [get(spec.key), process.env[spec.env]]));
  source = get;
  if (values === lastValues) return;
  lastValues = values;
  resolved = undefined;
  generation++;
}

/** Resolve (and validate) the current settings; throws a TridionError naming the bad setting. */
export function currentSettings(): ProviderSettings {
  resolved ??= resolveSettings(source);
  return resolved;
}

/** Changes whenever configure() runs, so caches built from settings can be dropped. */
export function settingsGeneration(): number {
  return generation;
}
