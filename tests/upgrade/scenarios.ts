// The stacks an earlier release deployed, recorded by recordFixture.ts and taken over by
// upgrade.test.ts: every resource kind, on the product version where it lives.

/** Each recorded stack's name and its passphrase (an emulator's: it protects nothing real). */
export const STACK = "upgrade";
export const PASSPHRASE = "recorded for the upgrade test";

export interface Origins {
  accessManagement: string;
  addons: string;
}

export interface Scenario {
  name: string;
  /** The example whose program was deployed (copied into the recording as it was then). */
  example: string;
  productVersion: "9.6" | "10";
  seedUsers?: string[];
  admin: { clientId: string; clientSecret: string };
  /** Stack config besides the admin's secret. */
  config(origins: Origins): Record<string, string>;
}

const settings = (origins: Origins, clientId: string) => ({
  "tridion:accessManagementUrl": `${origins.accessManagement}/access-management`,
  "tridion:addonsUrl": `${origins.addons}/addon`,
  "tridion:clientId": clientId,
});

export const SCENARIOS: Scenario[] = [
  {
    name: "quickstart-9.6",
    example: "quickstart",
    productVersion: "9.6",
    seedUsers: ["addon-deployer"],
    admin: { clientId: "upgrade-admin", clientSecret: "upgrade-admin-secret" },
    config: (origins) => settings(origins, "upgrade-admin"),
  },
  {
    name: "service-account-10",
    example: "service-account",
    productVersion: "10",
    admin: { clientId: "upgrade-sa-admin", clientSecret: "upgrade-sa-admin-secret" },
    config: (origins) => settings(origins, "upgrade-sa-admin"),
  },
];

/** The recording holds placeholders where the emulator's origins were. */
export const placeholders = {
  insert(text: string, origins: Origins): string {
    return text.split(origins.accessManagement).join("{{ACCESS_MANAGEMENT_ORIGIN}}").split(origins.addons).join("{{ADDONS_ORIGIN}}");
  },
  fill(text: string, origins: Origins): string {
    return text.split("{{ACCESS_MANAGEMENT_ORIGIN}}").join(origins.accessManagement).split("{{ADDONS_ORIGIN}}").join(origins.addons);
  },
};

const ISO_TIME = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))"/g;

/**
 * Every timestamp of a recorded file moved by `deltaMs`, as if the stack had been deployed a moment
 * ago: secrets that were 90 days from expiry still are, so the test does not age with the calendar.
 * Dates beyond the year 9000 ("never expires") stay.
 */
export function shiftTimes(text: string, deltaMs: number): string {
  return text.replace(ISO_TIME, (whole, time: string) => {
    const ms = Date.parse(time);
    if (Number.isNaN(ms) || new Date(ms).getUTCFullYear() >= 9000) return whole;
    return JSON.stringify(new Date(ms + deltaMs).toISOString());
  });
}
