// ZIP bytes written by hand for entry-name fixtures no ZIP library writes on purpose: raw name
// bytes in any encoding, general-purpose bit 11 on or off, and an Info-ZIP Unicode Path extra field
// (0x7075) that may name something else than the raw name. Entries are stored (no compression).
import { crc32 } from "node:zlib";

export interface NamedEntry {
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
}

function unicodePathField(rawName: Buffer, field: NonNullable<NamedEntry["unicodePath"]>): Buffer {
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
export function zipWithNames(entries: NamedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, "utf8");
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? "");
    const extra = entry.unicodePath ? unicodePathField(name, entry.unicodePath) : Buffer.alloc(0);
    const flags = entry.utf8Flag === false ? 0 : 0x800;
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, extra, data);
    centrals.push(central, name, extra);
    offset += local.length + name.length + extra.length + data.length;
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
