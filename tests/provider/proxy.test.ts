// Proxies: tridion:proxy sends every call through the given proxy; the proxy environment
// variables are honoured except for loopback; a bad proxy setting is explained without its password.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { ProxyRouter } from "../../provider/http/proxy";
import { configure, configFor, failure, impl, start } from "./support";

/** A forward proxy for plain-http targets (absolute-URI requests), recording what it relayed. */
async function forwardProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test.serial("tridion:proxy: tokens and API calls go through the proxy", async (t) => {
  const emulator = await start({ productVersion: "10" });
  const proxy = await forwardProxy();
  t.teardown(async () => {
    await emulator.close();
    await proxy.close();
  });
  await configure(configFor(emulator, { "tridion:proxy": proxy.url }));
  const created = await impl.serviceAccount.create({ accountName: "via-proxy", roles: ["Tridion.AddonService.Administrator"] });
  t.truthy(created.outs.clientSecret);
  t.true(
    proxy.seen.some((line) => line.startsWith("POST ") && line.endsWith("/connect/token")),
    "the token request went through the proxy",
  );
  t.true(
    proxy.seen.some((line) => line.includes("/api/v1/ServiceAccounts")),
    "so did the management API",
  );
  await impl.serviceAccount.delete!(created.id, created.outs);
});

test("the proxy environment applies, except to loopback and NO_PROXY hosts; tridion:proxy wins", (t) => {
  const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
  t.teardown(() => Object.assign(process.env, saved));
  process.env.HTTPS_PROXY = "http://corporate-proxy:3128";
  process.env.NO_PROXY = ".internal.example.com";
  const fromEnv = new ProxyRouter(undefined, undefined);
  t.is(fromEnv.proxyFor("https://sites.example.com/addons"), "http://corporate-proxy:3128");
  t.is(fromEnv.proxyFor("https://cms.internal.example.com/addons"), undefined);
  t.is(fromEnv.proxyFor("https://127.0.0.1:8443/addons"), undefined);
  t.is(new ProxyRouter("direct", undefined).proxyFor("https://sites.example.com/addons"), undefined);
  t.is(new ProxyRouter("http://other:8080", undefined).proxyFor("https://sites.example.com/addons"), "http://other:8080");
  t.truthy(fromEnv.agentsFor("https://sites.example.com/addons")?.httpsAgent, "a tunnelling agent for https targets");
});

test.serial("a bad tridion:proxy names the setting and the fix, without the proxy password", async (t) => {
  const emulator = await start();
  t.teardown(() => emulator.close());
  await configure(configFor(emulator, { "tridion:proxy": "socks5://user:hunter2-password@proxy:1080" }));
  const err = await failure(impl.addonPackage.read!("x", { addonId: "x" }));
  t.regex(err.message, /tridion:proxy \(env TRIDION_PROXY\)/);
  t.regex(err.message, /expected an http:\/\/ or https:\/\/ proxy URL/);
  t.regex(err.message, /Fix: `pulumi config set tridion:proxy/);
  t.false(err.message.includes("hunter2-password"));
});
