// Transport rules the environment cannot loosen: certificates are checked even with
// NODE_TLS_REJECT_UNAUTHORIZED=0 (directly, through a proxy tunnel, and for openid-client's token
// request), so only tridion:caCertificate widens the trust; plain http goes only to loopback (the
// name `localhost`, 127.0.0.0/8, ::1) unless tridion:allowInsecureHttp says otherwise, and a
// loopback authority does not vouch for a token endpoint elsewhere.
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as https from "node:https";
import test from "ava";
import { selfSignedTls } from "../../emulator/tls";
import { isLoopbackHost } from "../../provider/config/transport";
import { HttpClient } from "../../provider/http/httpClient";
import { waitPolicy } from "../../provider/http/policy";
import { startHostileAccessManagement } from "../helpers/hostileAccessManagement";
import { configFor, configure, failure, impl, start } from "./support";

// Set for the whole of this test file's process, as a CI job or a shell profile would.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

type Coded = Error & { code?: string };

/** A CONNECT proxy that takes `alias` to 127.0.0.1, recording each tunnel it opened. */
async function tunnelProxy(alias: string): Promise<{ url: string; tunnels: string[]; close: () => Promise<void> }> {
  const tunnels: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  const sockets = new Set<net.Socket>();
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = net.connect(Number(port), host === alias ? "127.0.0.1" : host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test.serial(
  "NODE_TLS_REJECT_UNAUTHORIZED=0 does not switch certificate checks off; tridion:caCertificate does widen the trust",
  async (t) => {
    const emulator = await start({ tls: "self-signed", productVersion: "10" });
    t.teardown(() => emulator.close());
    emulator.clearRequestLog();
    const untrusted = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Coded;
    t.is(untrusted.code, "TLS_UNTRUSTED");
    t.regex(untrusted.message, /TLS certificate is not trusted .*\nFix: set tridion:caCertificate/);
    t.deepEqual(emulator.requestLog(), [], "no request crossed the handshake");

    await configure(configFor(emulator, { "tridion:caCertificate": emulator.caCertificate! }));
    const read = await impl.serviceAccount.read!("999999", { accountName: "x" });
    t.deepEqual(read, {}, "with the CA, the same server is trusted (and has no such account)");
  },
);

test.serial("through a proxy tunnel, the certificate is checked as well", async (t) => {
  const emulator = await start({ tls: "self-signed", productVersion: "10" });
  const proxy = await tunnelProxy("tridion.test");
  t.teardown(async () => {
    await proxy.close();
    await emulator.close();
  });
  const alias = (url: string) => url.replace("127.0.0.1", "tridion.test");
  await configure({
    ...configFor(emulator),
    "tridion:accessManagementUrl": alias(emulator.accessManagementUrl),
    "tridion:addonsUrl": alias(emulator.addonsUrl),
    "tridion:proxy": proxy.url,
  });
  emulator.clearRequestLog();
  const err = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Coded;
  t.is(err.code, "TLS_UNTRUSTED", err.message);
  t.true(proxy.tunnels.length > 0, "the call went through the tunnel");
  t.deepEqual(emulator.requestLog(), [], "no request crossed the handshake");
});

test("through a proxy tunnel, tridion:caCertificate is what the target's certificate is checked against", async (t) => {
  // a server on a name that is not loopback (so the call takes the tunnel), with a private CA
  const tls = await selfSignedTls("tridion.test");
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end("trusted"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy = await tunnelProxy("tridion.test");
  t.teardown(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = `https://tridion.test:${(server.address() as AddressInfo).port}/`;
  const policy = waitPolicy({ maxRetries: 0, requestTimeoutMs: 10_000, retryBaseDelayMs: 1, pollIntervalMs: 10 });
  const withCa = new HttpClient({ policy, caCertificate: tls.caCertificate, proxy: proxy.url });
  t.is((await withCa.send<string>({ url, responseType: "text" })).data, "trusted");
  const without = new HttpClient({ policy, proxy: proxy.url });
  const err = await t.throwsAsync(without.send({ url }));
  t.regex(String((err as { code?: string }).code), /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
  t.true(proxy.tunnels.every((tunnel) => tunnel.startsWith("tridion.test:")));
});

test.serial("openid-client's token request checks the certificate too", async (t) => {
  const emulator = await start({ tls: "self-signed", productVersion: "10" });
  t.teardown(() => emulator.close());
  // Discovery over loopback http (no TLS to trust), naming the https token endpoint of a server
  // whose certificate nothing vouches for.
  const tokenEndpoint = `${emulator.accessManagementUrl}/connect/token`;
  const am = await startHostileAccessManagement({ discovery: (doc) => ({ ...doc, token_endpoint: tokenEndpoint }) });
  t.teardown(() => am.close());
  await configure({ ...configFor(emulator), "tridion:accessManagementUrl": am.authority, "tridion:productVersion": "10" });
  emulator.clearRequestLog();
  const err = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Coded;
  t.is(err.code, "TLS_UNTRUSTED", err.message);
  t.deepEqual(
    am.requests.map((r) => r.path),
    ["/.well-known/openid-configuration"],
  );
  t.deepEqual(emulator.requestLog(), [], "the client secret never reached the token endpoint");
});

test.serial("a loopback authority does not vouch for a plain-http token endpoint on another host", async (t) => {
  // 0.0.0.0 is not a loopback address, yet it reaches this machine: it stands in for another host,
  // and shows whether credentials would have been sent there.
  const am = await startHostileAccessManagement({
    discovery: (doc) => ({ ...doc, token_endpoint: `${am.origin.replace("127.0.0.1", "0.0.0.0")}/am/connect/token` }),
  });
  t.teardown(() => am.close());
  const settings = {
    "tridion:accessManagementUrl": am.authority,
    "tridion:addonsUrl": "http://127.0.0.1:9/addon",
    "tridion:clientId": "plain-http-client",
    "tridion:clientSecret": "plain-http-secret-1",
    "tridion:productVersion": "10",
  };
  await configure(settings);
  const err = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Coded;
  t.is(err.code, "DISCOVERY_FAILED");
  t.regex(
    err.message,
    /Refusing to send the client credentials of "plain-http-client" over plain http to http:\/\/0\.0\.0\.0:\d+\/am\/connect\/token/,
  );
  t.regex(err.message, /the configured authority is on a loopback address, but that endpoint is not/);
  t.regex(err.message, /Fix: .*https.*tridion:allowInsecureHttp true/);
  t.false(
    am.requests.some((r) => r.path === "/connect/token"),
    "no token request was sent",
  );

  // With the opt-in, the user accepts it.
  await configure({ ...settings, "tridion:allowInsecureHttp": "true" });
  t.deepEqual(await impl.serviceAccount.read!("1", { accountName: "x" }), {});
  t.true(am.requests.some((r) => r.path === "/connect/token"));
});

test("loopback is the name localhost, 127.0.0.0/8 and ::1, never a name under .localhost", (t) => {
  for (const host of ["localhost", "LOCALHOST", "127.0.0.1", "127.200.3.4", "[::1]", "::1", "[::ffff:7f00:1]"]) {
    t.true(isLoopbackHost(host), host);
  }
  for (const host of ["am.localhost", "localhost.example.com", "0.0.0.0", "128.0.0.1", "[::2]", "[::ffff:a00:1]", "localhost."]) {
    t.false(isLoopbackHost(host), host);
  }
});

test.serial("plain http to a name under .localhost needs the opt-in, as any other host", async (t) => {
  const emulator = await start();
  t.teardown(() => emulator.close());
  const url = emulator.accessManagementUrl.replace("127.0.0.1", "tridion.localhost");
  await configure({ ...configFor(emulator), "tridion:accessManagementUrl": url });
  const err = (await failure(impl.serviceAccount.read!("1", { accountName: "x" }))) as Coded;
  t.is(err.code, "SETTING_INVALID");
  t.regex(err.message, /Refusing plain http for tridion:accessManagementUrl \(http:\/\/tridion\.localhost:/);
});
