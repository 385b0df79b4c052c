// Telling Tridion Sites 9.x from 10 without writing anything: the names of the predefined
// service accounts differ between them (RWS's documentation), and every version lists them.

/** "9" (9.5/9.6), "10", or "unknown" when neither the settings nor the server tell. */
export type ProductVersion = "9" | "10" | "unknown";

import { PREDEFINED_ACCOUNTS as ACCOUNTS } from "tridion-sites-contract";

/** The predefined service accounts' names per major version (the emulator creates the same). */
export const PREDEFINED_ACCOUNTS: Record<"9" | "10", string[]> = {
  "9": ACCOUNTS["9"].map((a) => a.name),
  "10": ACCOUNTS["10"].map((a) => a.name),
};

/** The version the predefined accounts' names tell, or "unknown" when they tell nothing. */
export function versionFromAccountNames(names: string[]): ProductVersion {
  const has = (version: "9" | "10") => PREDEFINED_ACCOUNTS[version].some((n) => names.includes(n));
  if (has("10") && !has("9")) return "10";
  if (has("9") && !has("10")) return "9";
  return "unknown";
}

/** Whether a name is one of the predefined accounts (of any version): their access cannot change. */
export function isPredefinedAccountName(name: string): boolean {
  return [...PREDEFINED_ACCOUNTS["9"], ...PREDEFINED_ACCOUNTS["10"]].includes(name);
}
