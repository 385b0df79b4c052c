// A TypeScript stack moving from the dynamic resources to the plugin's SDK. The schema's aliases
// let the engine keep each resource; its state still holds the dynamic face's serialized provider
// (`__provider`), which a no-change diff would keep for good (the engine keeps the old outputs).
// So while it is there, the diff reports an update of it, and that update writes nothing to
// Tridion: it answers the state without it.
import { DYNAMIC_PROVIDER_FIELD } from "./schema";

type Props = Record<string, unknown>;

/** Whether the state was written by the dynamic face (it holds its serialized provider). */
export const hasDynamicProvider = (state: Props): boolean => DYNAMIC_PROVIDER_FIELD in state;

/** The state without the dynamic face's serialized provider. */
export function withoutDynamicProvider(state: Props): Props {
  const { [DYNAMIC_PROVIDER_FIELD]: _provider, ...rest } = state;
  return rest;
}
