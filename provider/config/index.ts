// Settings live in module state of the provider process: configure() stores where they come
// from (stack config), and every operation resolves them lazily (env vars fill the gaps).
import { ConfigSource, ProviderSettings, resolveSettings } from "./settings";

export * from "./settings";
export { checkUrlTransport, isLoopbackHost } from "./transport";

let source: ConfigSource = () => undefined;
let resolved: ProviderSettings | undefined;
let generation = 0;

/** Called from the dynamic provider's configure(): `get("tridion:clientId")` etc. */
export function setConfigSource(get: ConfigSource): void {
  source = get;
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
