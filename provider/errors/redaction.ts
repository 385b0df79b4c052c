// Secret values this process has seen (client secrets, tokens, proxy passwords), scrubbed from
// every message the provider writes: errors, warnings, diagnostics, doctor's reports.
//
// A server that echoes what it received shows a secret in other clothes than the value itself: in
// an HTTP Basic header (base64 of `clientId:secret`, the two form-encoded first, RFC 6749
// §2.3.1), in a form body (URL-encoded, a space as %20 or +), inside JSON (escaped, once or twice,
// or with .NET's \uXXXX escapes), and often cut short by a length limit. So every encoding of
// every known secret is scrubbed, and so is any piece of one that starts like it (a cut keeps the
// start); the callers that shorten a text redact it first (`clip`).

/** Each known secret with its encodings, longest first. */
const knownSecrets = new Map<string, string[]>();
/** Client id and secret pairs whose Basic header encodings are known. */
const knownPairs = new Set<string>();
/** All encodings of everything known, longest first (rebuilt when something is registered). */
let encodings: string[] = [];

const SECRET = "[secret]";
/** Secrets shorter than this are not registered: scrubbing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;
/** The start of an encoding that is scrubbed wherever it appears, with whatever of the rest follows. */
const MIN_PIECE_LENGTH = 8;

/** application/x-www-form-urlencoded as openid-client writes client credentials (RFC 6749 §2.3.1). */
function formEncodeStrict(value: string): string {
  return encodeURIComponent(value).replace(/(?:[-_.!~*'()]|%20)/g, (c) =>
    c === "%20" ? "+" : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** application/x-www-form-urlencoded as a URLSearchParams body writes it. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/**
 * JSON as System.Text.Json writes it by default (ASP.NET Core's answers): HTML-sensitive
 * characters, quotes and non-ASCII as \uXXXX.
 */
function jsonEscapeDotNet(value: string): string {
  const short: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
  let out = "";
  for (const ch of value) {
    if (short[ch]) out += short[ch];
    else if (/^[A-Za-z0-9 !#$%()*,./:;=?@[\]^_{|}~-]$/.test(ch)) out += ch;
    else for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);
const lowerHex = (value: string) =>
  value.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()).replace(/\\u[0-9A-F]{4}/g, (h) => h.toLowerCase());
const base64Forms = (value: string) => {
  const bytes = Buffer.from(value, "utf8");
  return [bytes.toString("base64"), bytes.toString("base64url")];
};

/** Every way `secret` may be written in a message, header, form or JSON body. */
function encodingsOf(secret: string): string[] {
  const forms = new Set<string>();
  const text = [secret, encodeURIComponent(secret), formEncode(secret), formEncodeStrict(secret)];
  for (const t of text) {
    forms.add(t);
    forms.add(lowerHex(t));
    forms.add(jsonEscape(t));
    forms.add(jsonEscape(jsonEscape(t)));
    forms.add(jsonEscapeDotNet(t));
    forms.add(lowerHex(jsonEscapeDotNet(t)));
  }
  for (const b of base64Forms(secret)) forms.add(b);
  return [...forms].filter((f) => f.length > 0);
}

function rebuild(): void {
  const all = new Set<string>();
  for (const list of knownSecrets.values()) for (const e of list) all.add(e);
  for (const pair of knownPairs) {
    const [clientId, secret] = JSON.parse(pair) as [string, string];
    for (const encode of [(v: string) => v, formEncodeStrict, formEncode]) {
      for (const b of base64Forms(`${encode(clientId)}:${encode(secret)}`)) all.add(b);
    }
  }
  encodings = [...all].sort((a, b) => b.length - a.length);
}

export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH || knownSecrets.has(value)) return;
  knownSecrets.set(value, encodingsOf(value));
  rebuild();
}

/**
 * A client id and its secret (or a proxy user and password): the secret, and the HTTP Basic
 * header that carries both (base64 of `id:secret`), are scrubbed from then on.
 */
export function registerCredentials(clientId: string | undefined | null, secret: string | undefined | null): void {
  registerSecret(secret);
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH || typeof clientId !== "string") return;
  const pair = JSON.stringify([clientId, secret]);
  if (knownPairs.has(pair)) return;
  knownPairs.add(pair);
  rebuild();
}

/**
 * `text` with every occurrence of an encoding as [secret], and every piece of one that a cut left:
 * its first characters (at least MIN_PIECE_LENGTH) and as much of the rest as follows, up to the
 * end of the text or a character that is not a letter or digit (a quote, an ellipsis, a space).
 * A piece followed by more letters is another word that starts alike, not a cut secret. Where
 * several encodings start at one place (upper- and lower-case %XX, say), the longest match wins.
 */
function scrub(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    let start = -1;
    let end = -1;
    for (const encoding of encodings) {
      const head = encoding.slice(0, Math.min(MIN_PIECE_LENGTH, encoding.length));
      for (let at = text.indexOf(head, from); at >= 0 && (start < 0 || at <= start); at = text.indexOf(head, at + 1)) {
        let stop = at + head.length;
        while (stop < text.length && stop - at < encoding.length && text[stop] === encoding[stop - at]) stop++;
        const whole = stop - at === encoding.length;
        if (!whole && stop < text.length && /[\p{L}\p{N}]/u.test(text[stop])) continue;
        if (start < 0 || at < start || stop > end) {
          start = at;
          end = stop;
        }
        break;
      }
    }
    if (start < 0) return from === 0 ? text : out + text.slice(from);
    out += text.slice(from, start) + SECRET;
    from = end;
  }
}

/** A word after "Bearer" or "Basic" that looks like a credential, not like prose ("Basic authentication"). */
function looksLikeCredential(word: string): boolean {
  return word.length >= 20 || /[0-9+/=._~-]/.test(word) || (/[a-z]/.test(word) && /[A-Z]/.test(word));
}

export function redactSecrets(text: string): string {
  // Bearer tokens, Basic credentials and JWT-shaped strings never belong in a message, whatever
  // the case of the scheme and however short a cut left them. These go first: a token that only
  // starts like a known one (JWTs of one issuer share their header) is then gone whole.
  const shapes = text
    .replace(/\b(bearer)(\s+)([A-Za-z0-9._~+/=-]+)/gi, (all, _scheme: string, _space: string, word: string) =>
      looksLikeCredential(word) ? "Bearer [token]" : all,
    )
    .replace(/\b(basic)(\s+)([A-Za-z0-9+/=_-]{8,})/gi, (all, _scheme: string, _space: string, word: string) =>
      looksLikeCredential(word) ? "Basic [credentials]" : all,
    )
    .replace(/eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g, "[token]");
  return scrub(shapes);
}

/**
 * At most `max` characters of `text`, redacted before it is cut (a secret cut in two would no
 * longer match), and an ellipsis where it was cut.
 */
export function clip(text: string, max: number): string {
  const redacted = redactSecrets(text);
  return redacted.length <= max ? redacted : `${redacted.slice(0, max - 1)}…`;
}
