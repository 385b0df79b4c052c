// Answers the contract does not expect still read as cause and fix: a redirecting service and an
// unexpected status, from a real HTTP server standing in front of the Add-ons Service.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { configure, configFor, failure, impl, start } from "./support";

async function serve(status: number, headers: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { "Content-Type": "text/plain", ...headers });
    res.end(status >= 400 ? "teapot says no" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/addons`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test.serial("a redirect is not followed: the error names where it points and the fix", async (t) => {
  const emulator = await start();
  const redirecting = await serve(301, { Location: "https://sites.example.com/addons/api/v1/addons/x" });
  t.teardown(async () => { await emulator.close(); await redirecting.close(); });
  await configure(configFor(emulator, { "tridion:addonsUrl": redirecting.url }));
  const err = await failure(impl.addonPackage.read!("x", { addonId: "x" }));
  t.regex(err.message, /redirects \(301\) to https:\/\/sites\.example\.com\/addons/);
  t.regex(err.message, /Fix: set tridion:accessManagementUrl \/ tridion:addonsUrl to the final URL/);
});

test.serial("an unexpected status quotes the service and says where to look", async (t) => {
  const emulator = await start();
  const teapot = await serve(418);
  t.teardown(async () => { await emulator.close(); await teapot.close(); });
  await configure(configFor(emulator, { "tridion:addonsUrl": teapot.url }));
  const err = await failure(impl.addonPackage.read!("x", { addonId: "x" }));
  t.regex(err.message, /answered 418/);
  t.regex(err.message, /teapot says no/);
  t.regex(err.message, /Fix: check the URLs and route profile/);
  t.false(err.message.includes(emulator.credentials.admin.clientSecret));
});
