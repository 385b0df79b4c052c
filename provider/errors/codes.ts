// Every error code of the provider, and the decisions taken from a code: one table, read by every
// place that decides. Retrying is not decided here: a 500 and a 503 share SERVER_ERROR but not a
// retry rule, so http/policy.ts decides it from the HTTP status and the transport.

export interface CodeRule {
  /**
   * A definite answer: asking again (in this run, or at `up`) gives the same one, so a check in
   * preview that meets it fails the preview instead of leaving it to `up`. Anything not definite
   * (a service down, a 5xx, a timeout) is left to `up`, which has retries behind it.
   */
  definite?: true;
  /**
   * What the answer says about the deploying identity:
   * - "refused": the identity itself was refused (its credentials, its access to the API, its
   *   role). It will not change by asking again in this process, and another identity may still be
   *   allowed: a resource that runs as the identity recorded in its state falls back to the
   *   provider's identity, and a detection made with it is kept, not asked again.
   * - "noToken": the identity gets no token for a reason that is not its own credentials or
   *   access, so another identity would get none either: no fallback, but AddonPackage's preview,
   *   which looks at the deploying identity only, fails on it like on a refusal.
   */
  identity?: "refused" | "noToken";
  /**
   * What the provider found on the server about the account the inputs name (a user that never
   * signed in, two of that name, ...): the inputs are wrong, so preview shows it as an input
   * failure of the resource, and a repair command reports it as "refused", not "failed".
   */
  inputFinding?: true;
}

export const ERROR_CODES = {
  // provider settings
  SETTING_MISSING: {},
  SETTING_INVALID: {},
  // reaching a service
  UNREACHABLE: {},
  TLS_UNTRUSTED: {},
  REDIRECTED: {},
  UNEXPECTED_ANSWER: {},
  // Access Management's discovery and token endpoint
  DISCOVERY_FAILED: {},
  /**
   * Discovery names another issuer than the configured authority: a setting to correct, so it is
   * definite; it concerns the authority every identity asks, so falling back to another identity
   * would meet it again ("noToken", not "refused").
   */
  ISSUER_MISMATCH: { definite: true, identity: "noToken" },
  CREDENTIALS_REJECTED: { definite: true, identity: "refused" },
  NO_API_ACCESS: { definite: true, identity: "refused" },
  /**
   * The token endpoint refused with an OAuth error other than invalid_client, unauthorized_client
   * and invalid_scope (invalid_request, unsupported_grant_type, ...): the same request gets the
   * same answer, so it is definite; it says nothing established about this identity's own
   * credentials or access, so it is no reason to fall back to another identity ("noToken").
   */
  TOKEN_REFUSED: { definite: true, identity: "noToken" },
  // the deploying identity, looked at before a call
  AUDIENCE_MISSING: { definite: true, identity: "refused" },
  ROLE_MISSING: { definite: true, identity: "refused" },
  // an answer of a service
  BAD_REQUEST: { definite: true },
  UNAUTHORIZED: { definite: true, identity: "refused" },
  FORBIDDEN: { definite: true, identity: "refused" },
  NOT_FOUND: { definite: true },
  CONFLICT: { definite: true },
  TOO_LARGE: {},
  RATE_LIMITED: {},
  SERVER_ERROR: {},
  UNEXPECTED_STATUS: {},
  // what the provider finds on the server
  USER_NOT_SIGNED_IN: { inputFinding: true },
  USER_AMBIGUOUS: { inputFinding: true },
  USER_NOT_OF_PROVIDER: { inputFinding: true },
  USER_DEACTIVATED: { inputFinding: true },
  NAME_DIFFERS_IN_CASE: { inputFinding: true },
  ACCOUNT_EXISTS: {},
  ACCOUNT_PREDEFINED: {},
  ACCOUNT_GONE: {},
  SECRET_SLOTS_FULL: {},
  /** A new client secret (or a role change) did not show in a token in time: nothing was revoked. */
  SECRET_NOT_PROVEN: {},
  /** An overlap was asked, but the account's other slot holds a secret no state records. */
  SECRET_OVERLAP_IMPOSSIBLE: {},
  UNSUPPORTED_VERSION: {},
  // a value that would put a call on another URL than the object's (an id of `..`, say)
  UNSAFE_ID: {},
  ROLE_UNKNOWN: {},
  ADDON_EXISTS: {},
  ADDON_FOREIGN_CONTENT: {},
  PACKAGE_MISMATCH: {},
  ACTIVATION_FAILED: {},
  ACTIVATION_TIMEOUT: {},
  // the add-on package: its source, the ZIP, the manifest, the configuration (packaging/)
  SOURCE_MISSING: {},
  SOURCE_TYPE: {},
  SOURCE_CHANGED: {},
  CACHE_UNSAFE: {},
  ZIP_CORRUPT: {},
  ZIP_ENCRYPTED: {},
  ZIP_ENTRY_ESCAPES: {},
  ZIP_DUPLICATE_ENTRY: {},
  ZIP_BOMB: {},
  /** The package exceeds a limit of the provider (TOO_LARGE is the service's 413). */
  PACKAGE_TOO_LARGE: {},
  MANIFEST_MISSING: {},
  MANIFEST_NOT_AT_ROOT: {},
  MANIFEST_INVALID_JSON: {},
  MANIFEST_INVALID: {},
  FILE_NAME: {},
  REFERENCED_FILE_MISSING: {},
  SYMLINK_OUTSIDE: {},
  SYMLINK_BROKEN: {},
  SPECIAL_FILE: {},
  BAD_ENTRY_NAME: {},
  ZIP_ENTRY_NAME_AMBIGUOUS: {},
  CONFIGURATION_INVALID: {},
  // anything else our code threw
  INTERNAL: {},
} as const satisfies Record<string, CodeRule>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The rule of a code (an unknown code has none: nothing is decided from it). */
export function ruleOf(code: string): CodeRule {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code) ? (ERROR_CODES as Record<string, CodeRule>)[code] : {};
}
