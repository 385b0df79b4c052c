// ZIP bytes written by hand, for fixtures no ZIP library writes on purpose (archiver sanitises
// names): names used verbatim (`../x`, raw bytes in any encoding), general-purpose bit 11 on or
// off, an Info-ZIP Unicode Path extra field (0x7075) that may name something else than the raw
// name, a deflated or "encrypted" entry. Test-only: production code writes ZIPs with archiver.
import { crc32, deflateRawSync } from "node:zlib";

export interface RawEntry {
  /** The raw name: a string is written as UTF-8 bytes, a Buffer as is. */
  name: string | Buffer;
  data?: string | Buffer;
  /** General-purpose bit 11 (the name is UTF-8); default: set. */
  utf8Flag?: boolean;
  /**
   * An Info-ZIP Unicode Path extra field: version 1, the CRC-32 of the raw name, then this name in
   * UTF-8 (`version` and `nameCrc` override those two for malformed fields).
   */
  unicodePath?: { name: string; version?: number; nameCrc?: number };
  /** Deflate the data (default: stored). */
  deflate?: boolean;
  /** Set general purpose bit 0 (encrypted) without encrypting: enough for a reader to refuse it. */
  encrypted?: boolean;
}

function unicodePathField(rawName: Buffer, field: NonNullable<RawEntry["unicodePath"]>): Buffer {
  const name = Buffer.from(field.name, "utf8");
  const data = Buffer.alloc(5 + name.length);
  data.writeUInt8(field.version ?? 1, 0);
  data.writeUInt32LE(field.nameCrc ?? crc32(rawName) >>> 0, 1);
  name.copy(data, 5);
  const header = Buffer.alloc(4);
  header.writeUInt16LE(0x7075, 0);
  header.writeUInt16LE(data.length, 2);
  return Buffer.concat([header, data]);
}

/** A whole ZIP (local headers, data, central directory, end record) holding these entries. */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, "utf8");
    const raw = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? "");
    const packed = entry.deflate ? deflateRawSync(raw) : raw;
    // an encrypted entry starts with a 12-byte encryption header
    const body = entry.encrypted ? Buffer.concat([Buffer.alloc(12, 0x5a), packed]) : packed;
    const extra = entry.unicodePath ? unicodePathField(name, entry.unicodePath) : Buffer.alloc(0);
    const flags = (entry.utf8Flag === false ? 0 : 0x800) | (entry.encrypted ? 1 : 0);
    const method = entry.deflate ? 8 : 0;
    const crc = crc32(raw) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, body);
    centrals.push(central, name, extra);
    offset += local.length + name.length + extra.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
