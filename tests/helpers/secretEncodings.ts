// The ways a secret is written on the wire and in answers that echo it (a Basic header, a form
// body, JSON), computed here independently of the provider's redaction, and a finder for any
// piece of them in a text: what tests assert never reaches a message or a report.

/** application/x-www-form-urlencoded as RFC 6749 §2.3.1 asks for client credentials (openid-client's way). */
const formStrict = (v: string) =>
  encodeURIComponent(v).replace(/(?:[-_.!~*'()]|%20)/g, (c) => (c === "%20" ? "+" : `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
const form = (v: string) => new URLSearchParams({ v }).toString().slice(2);
const b64 = (v: string) => Buffer.from(v, "utf8").toString("base64");
/** System.Text.Json's default escaping: quotes, HTML characters and non-ASCII as \uXXXX. */
const dotNetJson = (v: string) =>
  [...v]
    .map((c) =>
      c === "\\"
        ? "\\\\"
        : /[A-Za-z0-9 !#$%()*,./:;=?@[\]^_{|}~-]/.test(c)
          ? c
          : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
    )
    .join("");

/** Every way the secret travels or is quoted, written here independently of the provider. */
export function encodings(clientId: string, secret: string): Record<string, string> {
  return {
    raw: secret,
    "URL-encoded (%20)": encodeURIComponent(secret),
    "form-encoded (+)": form(secret),
    "form-encoded, RFC 6749": formStrict(secret),
    "JSON-escaped": JSON.stringify(secret).slice(1, -1),
    "JSON-escaped twice": JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
    "JSON-escaped by .NET": dotNetJson(secret),
    "base64 of the secret": b64(secret),
    "base64 of id:secret": b64(`${clientId}:${secret}`),
    "Basic header (base64 of the form-encoded id:secret)": b64(`${formStrict(clientId)}:${formStrict(secret)}`),
  };
}

/** Which encodings have a piece of 10 characters in `text` (the secret's own part of it). */
export function leaks(text: string, clientId: string, secret: string): string[] {
  const found: string[] = [];
  for (const [name, e] of Object.entries(encodings(clientId, secret))) {
    // base64 of id:secret starts with the client id's own bytes: look from where the secret starts
    const from = name.startsWith("base64 of id") || name.startsWith("Basic") ? Math.floor(((clientId.length + 1) * 4) / 3) : 0;
    for (let i = from; i + 10 <= e.length; i++) {
      if (text.includes(e.slice(i, i + 10))) {
        found.push(`${name} (from character ${i})`);
        break;
      }
    }
  }
  return found;
}
