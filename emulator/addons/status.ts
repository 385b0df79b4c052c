// Add-on and extension statuses, derived from what the emulator holds and its clock (so they
// survive restarts and follow advanceClock).
import type { AddonRecord } from "../store";
import { manifestNamesText, unknownExtensionPaths } from "./configuration";

export type AddonStatus = "WaitingForConfiguration" | "PendingActivation" | "Success" | "Failed" | "Disabled";

/** A configuration kept across a package update may name extensions the new manifest dropped. */
function configurationMismatch(addon: AddonRecord): string | undefined {
  if (addon.configuration === undefined) return undefined;
  const names = addon.extensions.map((e) => e.name);
  const unknown = unknownExtensionPaths(addon.configuration, names);
  if (!unknown.length) return undefined;
  return `The custom configuration names extensions that are not in the package's manifest: ${unknown.join(", ")} (the manifest has ${manifestNamesText(names)}). Upload a configuration that matches the new package, or delete it.`;
}

function failures(addon: AddonRecord): string[] {
  const messages: string[] = [];
  const mismatch = configurationMismatch(addon);
  if (mismatch) messages.push(mismatch);
  for (const ext of addon.extensions) {
    for (const error of ext.loadErrors) messages.push(`Extension "${ext.name}": ${error}`);
    for (const report of addon.reports[ext.name] ?? []) {
      if (report.status === "Failed") messages.push(`Extension "${ext.name}" failed in ${report.environment}: ${report.message}`);
    }
  }
  return messages;
}

function activated(addon: AddonRecord, nowMs: number, delayMs: number): boolean {
  if (nowMs >= Date.parse(addon.activationStartedAt) + delayMs) return true;
  const started = Date.parse(addon.activationStartedAt);
  return (
    addon.extensions.length > 0 &&
    addon.extensions.every((e) => (addon.reports[e.name] ?? []).some((r) => r.status === "Success" && Date.parse(r.reportedAt) >= started))
  );
}

export function addonStatus(addon: AddonRecord, nowMs: number, delayMs: number): { status: AddonStatus; message: string } {
  if (!addon.enabled) return { status: "Disabled", message: 'The add-on is disabled; enable it with PUT .../status {"enabled": true}.' };
  const failed = failures(addon);
  if (failed.length) return { status: "Failed", message: failed.join(" ") };
  if (addon.requireConfiguration === "yes" && addon.configuration === undefined) {
    return { status: "WaitingForConfiguration", message: "The manifest requires a configuration (requireConfiguration: yes); upload one." };
  }
  if (activated(addon, nowMs, delayMs)) return { status: "Success", message: "" };
  return { status: "PendingActivation", message: "Waiting for the consuming services to load the add-on." };
}

export function addonView(addon: AddonRecord, nowMs: number, delayMs: number) {
  const overall = addonStatus(addon, nowMs, delayMs);
  return {
    id: addon.id,
    name: addon.name,
    version: addon.version,
    author: addon.author,
    description: addon.description,
    manifestVersion: addon.manifestVersion,
    requireConfiguration: addon.requireConfiguration,
    status: overall.status,
    message: overall.message,
    packageFileName: addon.packageFileName,
    packageSize: addon.packageSize,
    packageSha256: addon.packageSha256,
    uploadedAt: addon.uploadedAt,
    hasConfiguration: addon.configuration !== undefined,
    configurationSha256: addon.configurationSha256 ?? null,
    extensions: addon.extensions.map((ext) => {
      const reports = addon.reports[ext.name] ?? [];
      const failedReports = reports.filter((r) => r.status === "Failed");
      if (ext.loadErrors.length || failedReports.length) {
        return {
          name: ext.name,
          type: ext.type,
          status: "Failed",
          message: [...ext.loadErrors, ...failedReports.map((r) => `${r.environment}: ${r.message}`)].join(" "),
        };
      }
      if (overall.status === "Failed") return { name: ext.name, type: ext.type, status: "Success", message: "" };
      if (overall.status !== "PendingActivation") {
        return { name: ext.name, type: ext.type, status: overall.status, message: overall.status === "Success" ? "" : overall.message };
      }
      const success = reports.some((r) => r.status === "Success" && Date.parse(r.reportedAt) >= Date.parse(addon.activationStartedAt));
      return success
        ? { name: ext.name, type: ext.type, status: "Success", message: "" }
        : { name: ext.name, type: ext.type, status: "PendingActivation", message: overall.message };
    }),
  };
}
