// HTTPS for both listeners: a private CA and a server certificate it signs, generated at every
// start (selfsigned, in memory; nothing is written). Clients trust the CA's PEM (the provider's
// tridion:caCertificate), as they would an on-premises CA.
import * as net from "node:net";
import { generate } from "selfsigned";

export interface TlsMaterial {
  /** The server certificate's private key (PEM). */
  key: string;
  /** The server certificate (PEM), valid for localhost, 127.0.0.1, ::1 and the listen host. */
  cert: string;
  /** The CA that signed it (PEM): what a client must trust. */
  caCertificate: string;
}

const DAY_MS = 86_400_000;

/** `host`: the name clients use (an IP literal or a host name; brackets of an IPv6 literal allowed). */
export async function selfSignedTls(host: string): Promise<TlsMaterial> {
  const notBeforeDate = new Date(Date.now() - DAY_MS); // a client's clock a little behind still accepts it
  const notAfterDate = new Date(Date.now() + 30 * DAY_MS);
  const ca = await generate([{ name: "commonName", value: "Tridion Sites emulator CA" }], {
    algorithm: "sha256",
    keySize: 2048,
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const name = host.replace(/^\[|\]$/g, "");
  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: "localhost" },
    { type: 7, ip: "127.0.0.1" },
    { type: 7, ip: "::1" },
  ];
  if (net.isIP(name) && name !== "127.0.0.1" && name !== "::1") altNames.push({ type: 7, ip: name });
  if (!net.isIP(name) && name !== "localhost") altNames.push({ type: 2, value: name });
  const server = await generate([{ name: "commonName", value: name }], {
    algorithm: "sha256",
    keySize: 2048,
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return { key: server.private, cert: server.cert, caCertificate: ca.cert };
}
