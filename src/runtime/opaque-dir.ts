// Marks a directory opaque for overlayfs (xattr trusted.overlay.opaque=y) without a setxattr
// binding or the `attr` package: GNU tar restores xattrs from pax `SCHILY.xattr.*` records, so we
// hand it a two-entry archive holding the directory itself with that one attribute. The header
// carries the directory's current mode, owner and mtime, so nothing else about it changes.
import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import { extractTar } from '../kernel/tar.js';

const BLOCK = 512;

export async function setOpaque(dir: string): Promise<void> {
  const st = await stat(dir);
  const archive = `${dir}/.tether-opaque-${randomBytes(4).toString('hex')}.tar`;
  await writeFile(archive, opaqueDirArchive({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime }));
  try {
    await extractTar(archive, dir, { overlayXattrs: true });
  } finally {
    await rm(archive, { force: true });
  }
}

interface DirAttrs {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

/** A pax archive with one entry, "./", carrying trusted.overlay.opaque=y. */
export function opaqueDirArchive(attrs: DirAttrs): Buffer {
  const records = paxRecord('SCHILY.xattr.trusted.overlay.opaque', 'y');
  const paxHeader = header({ ...attrs, name: './PaxHeaders/opaque', type: 'x', size: records.length });
  const dirHeader = header({ ...attrs, name: './', type: '5', size: 0 });
  return Buffer.concat([paxHeader, pad(records), dirHeader, Buffer.alloc(BLOCK * 2)]);
}

/** "<len> key=value\n" where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len += 1;
  return Buffer.from(`${len}${body}`);
}

function pad(b: Buffer): Buffer {
  const rest = b.length % BLOCK;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(BLOCK - rest)]);
}

function header(h: DirAttrs & { name: string; type: string; size: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, Math.floor(h.mtime.getTime() / 1000));
  b.write(h.type, 156, 1, 'ascii');
  b.write('ustar\u000000', 257, 8, 'ascii');
  b.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return b;
}

function octal(b: Buffer, offset: number, width: number, value: number): void {
  b.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width, 'ascii');
}
