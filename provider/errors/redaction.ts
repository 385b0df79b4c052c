// Secret values this process has seen (client secrets, tokens), scrubbed from every message the
// provider writes: errors, warnings, diagnostics.
const knownSecrets = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === "string" && value.length >= 6) knownSecrets.add(value);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join("[secret]");
  }
  // Bearer tokens and JWT-shaped strings never belong in a message.
  return out
    .replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, "Bearer [token]")
    .replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "[token]");
}
