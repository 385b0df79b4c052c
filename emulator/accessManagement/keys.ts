// The RS256 signing key: generated once, kept in the data dir (or in memory).
import * as fs from "node:fs";
import * as path from "node:path";
import { createHmac } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

export interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  publicJwk: JWK;
  /** Derives stable values (bootstrap secrets) from the private key without storing them. */
  derive(label: string): string;
}

export async function loadSigningKey(dataDir: string | undefined): Promise<SigningKey> {
  const file = dataDir ? path.join(dataDir, "signing-key.json") : undefined;
  let privateJwk: JWK;
  if (file && fs.existsSync(file)) {
    privateJwk = JSON.parse(fs.readFileSync(file, "utf8")) as JWK;
  } else {
    const pair = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
    privateJwk = await exportJWK(pair.privateKey);
    if (file) fs.writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const kid = await calculateJwkThumbprint(privateJwk);
  const privateKey = await importJWK({ ...privateJwk, alg: "RS256" }, "RS256");
  const { kty, n, e } = privateJwk;
  const publicJwk: JWK = { kty, n, e, kid, alg: "RS256", use: "sig" };
  const secretMaterial = String(privateJwk.d);
  return {
    kid,
    privateKey,
    publicJwk,
    derive: (label) => createHmac("sha256", secretMaterial).update(label).digest("base64url"),
  };
}
