// How the plugin turns an error into the text the engine shows: the message, and the fix when
// the error carries one apart from its message. One place, so the shared renderer can take over.
export function renderError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const fix = (error as { fix?: unknown }).fix;
  return typeof fix === "string" && fix !== "" ? `${error.message}\nFix: ${fix}` : error.message;
}
