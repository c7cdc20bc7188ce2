import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

/** A jar read through its zip central directory: enough of the format to list and read entries. */
export class Jar {
  private readonly zip: Buffer;
  private readonly entries = new Map<string, { method: number; compressedSize: number; localHeader: number }>();

  constructor(readonly file: string) {
    this.zip = readFileSync(file);
    const zip = this.zip;
    let end = zip.length - 22;
    while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
    assert.ok(end >= 0, `${file} is not a zip`);
    const count = zip.readUInt16LE(end + 10);
    let offset = zip.readUInt32LE(end + 16);
    for (let i = 0; i < count; i++) {
      assert.equal(zip.readUInt32LE(offset), 0x02014b50, `${file}: central directory entry`);
      const nameLength = zip.readUInt16LE(offset + 28);
      const extraLength = zip.readUInt16LE(offset + 30);
      const commentLength = zip.readUInt16LE(offset + 32);
      const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
      this.entries.set(name, { method: zip.readUInt16LE(offset + 10), compressedSize: zip.readUInt32LE(offset + 20), localHeader: zip.readUInt32LE(offset + 42) });
      offset += 46 + nameLength + extraLength + commentLength;
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** An entry's bytes, stored or deflated. */
  read(name: string): Buffer {
    const entry = this.entries.get(name);
    assert.ok(entry, `${this.file} has no ${name}`);
    const header = entry.localHeader;
    const start = header + 30 + this.zip.readUInt16LE(header + 26) + this.zip.readUInt16LE(header + 28);
    const data = this.zip.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) return Buffer.from(data);
    assert.equal(entry.method, 8, `${name}: compression method ${entry.method}`);
    return inflateRawSync(data);
  }

  /** The Build-Jdk-Spec the jar's manifest records: the major version of the JDK that built it. */
  buildJdk(): string | undefined {
    return /^Build-Jdk-Spec: *(\S+)/m.exec(this.read('META-INF/MANIFEST.MF').toString('utf8'))?.[1];
  }
}
