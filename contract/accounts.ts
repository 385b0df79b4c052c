// The service accounts every installation comes with (RWS docs). Their names tell 9.x from 10,
// and their access cannot be changed (docs/tridion-contract.md §2).

export type MajorVersion = "9" | "10";

export interface PredefinedAccount {
  name: string;
  /** The API key and the role key it holds. */
  api: string;
  role: string;
}

export const PREDEFINED_ACCOUNTS: Readonly<Record<MajorVersion, readonly PredefinedAccount[]>> = {
  "9": [
    { name: "Access Management API", api: "Tridion.AccessManagement", role: "Tridion.AccessManagement.Administrator" },
    { name: "Add-ons API", api: "Tridion.AddonService", role: "Tridion.AddonService.Service" },
    { name: "Tridion Sites Content Manager API", api: "Tridion.ContentManager", role: "Tridion.ContentManager.Administrator" },
  ],
  "10": [
    { name: "Access Management API Client (admin)", api: "Tridion.AccessManagement", role: "Tridion.AccessManagement.Administrator" },
    { name: "Add-ons API Client (service)", api: "Tridion.AddonService", role: "Tridion.AddonService.Service" },
    {
      name: "Tridion Sites Content Manager API Client (admin)",
      api: "Tridion.ContentManager",
      role: "Tridion.ContentManager.Administrator",
    },
  ],
};
