// What people read of an error, built from its fields: the message, then the fix on a line of its
// own. The faces call it (the dynamic provider for the Pulumi engine, a check failure's reason);
// the CLI lays the same fields out as cause and fix. Nothing parses the text back.
import { PartialFailure, toTridionError, TridionError } from "./tridionError";

/** "message\nFix: fix" (the message alone when there is no fix). */
export function renderError(error: unknown): string {
  const e = toTridionError(error);
  return e.fix ? `${e.message}\nFix: ${e.fix}` : e.message;
}

/**
 * The error as the dynamic-provider host needs it: the host sends only `e.message` (and, for a
 * partial failure, `id`, `properties` and `reasons`) to the engine, so the message is the rendered
 * text. Code, fix, details and status stay on it; it is still a TridionError (a PartialFailure
 * stays one).
 */
export function renderedForEngine(error: unknown): TridionError {
  const e = toTridionError(error);
  const rendered = Object.create(Object.getPrototypeOf(e) as object) as TridionError;
  Object.assign(rendered, e);
  const text = renderError(e);
  Object.defineProperty(rendered, "message", { value: text, enumerable: false, writable: true, configurable: true });
  Object.defineProperty(rendered, "cause", { value: e.cause, enumerable: false, writable: false });
  Object.defineProperty(rendered, "stack", { value: `${e.name}: ${text}`, writable: true, enumerable: false });
  if (e instanceof PartialFailure) (rendered as PartialFailure).reasons = [renderError(e.cause)];
  return rendered;
}
