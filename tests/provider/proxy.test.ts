// Proxies: tridion:proxy sends every call through the given proxy, except to loopback; the proxy
// environment variables are honoured except for loopback; a proxy password never shows, however
// it is written.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { ProxyRouter } from "../../provider/http/proxy";
import { configure, configFor, failure, impl, start } from "./support";

/**
 * A forward proxy for plain-http targets (absolute-URI requests), recording what it relayed.
 * `alias`: a host name the proxy resolves to 127.0.0.1 and writes for 127.0.0.1 in answers, so
 * a target that is not loopback to the provider reaches the emulator (a host only the proxy knows).
 */
async function forwardProxy(alias?: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    if (alias && target.hostname === alias) target.hostname = "127.0.0.1";
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      if (!alias) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on("data", (c: Buffer) => chunks.push(c));
      answer.on("end", () => {
        const body = Buffer.from(Buffer.concat(chunks).toString("utf8").split("127.0.0.1").join(alias));
        const headers = { ...answer.headers, "content-length": String(body.length) };
        if (typeof headers.location === "string") headers.location = headers.location.split("127.0.0.1").join(alias);
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(body);
      });
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

test.serial("tridion:proxy: tokens and API calls to a host that is not loopback go through the proxy", async (t) => {
  const emulator = await start({ productVersion: "10" });
  // "0.0.0.0" is not a loopback name to the provider; the proxy takes it to the emulator.
  const proxy = await forwardProxy("0.0.0.0");
  t.teardown(async () => {
    await emulator.close();
    await proxy.close();
  });
  const viaAlias = (url: string) => url.replace("127.0.0.1", "0.0.0.0");
  await configure({
    ...configFor(emulator),
    "tridion:accessManagementUrl": viaAlias(emulator.accessManagementUrl),
    "tridion:addonsUrl": viaAlias(emulator.addonsUrl),
    "tridion:allowInsecureHttp": "true",
    "tridion:proxy": proxy.url,
  });
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

test.serial("loopback calls never cross a proxy, not even an explicit tridion:proxy (credentials in clear)", async (t) => {
  const emulator = await start({ productVersion: "10" });
  const proxy = await forwardProxy();
  t.teardown(async () => {
    await emulator.close();
    await proxy.close();
  });
  await configure(configFor(emulator, { "tridion:proxy": proxy.url }));
  const created = await impl.serviceAccount.create({ accountName: "beside-the-proxy", roles: ["Tridion.AddonService.Administrator"] });
  t.truthy(created.outs.clientSecret);
  await impl.serviceAccount.delete!(created.id, created.outs);
  t.deepEqual(proxy.seen, [], "neither the token request (HTTP Basic) nor the API calls went to the proxy");
  t.true(
    emulator.requestLog().some((e) => /\/connect\/token$/.test(e.path)),
    "they went to the emulator directly",
  );
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
  const explicit = new ProxyRouter("http://other:8080", undefined);
  t.is(explicit.proxyFor("https://sites.example.com/addons"), "http://other:8080");
  for (const loopback of ["http://127.0.0.1:8080/am", "http://localhost:8080/am", "http://[::1]:8080/am", "http://127.9.8.7/am"]) {
    t.is(explicit.proxyFor(loopback), undefined, `${loopback} goes direct`);
  }
  t.is(explicit.proxyFor("http://tridion.localhost:8080/am"), "http://other:8080", "a name under .localhost is not loopback");
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

test.serial("a proxy password with / (an unparsable URL) or @ never shows in the error", async (t) => {
  const emulator = await start();
  t.teardown(() => emulator.close());
  // "/" ends the authority early, so the URL does not parse and the message quotes the value
  await configure(configFor(emulator, { "tridion:proxy": "http://proxyuser:Pw/with-slash-9x@proxy.example.com:3128" }));
  const unparsable = (await failure(impl.addonPackage.read!("x", { addonId: "x" }))) as Error & { code?: string };
  t.is(unparsable.code, "SETTING_INVALID");
  t.regex(unparsable.message, /tridion:proxy \(env TRIDION_PROXY\) is "http:\/\/proxyuser:\[secret\]@proxy\.example\.com:3128"/);
  t.false(unparsable.message.includes("with-slash"), unparsable.message);
  // "@" in the password: the URL parses (its last "@" ends the user information), and a later
  // failure names the proxy without it
  await configure(configFor(emulator, { "tridion:proxy": "ftp://proxyuser:Pw@with-at-7y@proxy.example.com:3128" }));
  const withAt = (await failure(impl.addonPackage.read!("x", { addonId: "x" }))) as Error & { code?: string };
  t.is(withAt.code, "SETTING_INVALID");
  t.regex(withAt.message, /"ftp:\/\/proxyuser:\[secret\]@proxy\.example\.com:3128"/);
  t.false(withAt.message.includes("with-at"), withAt.message);
});
