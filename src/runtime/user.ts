// Docker's --user / image User ("", "uid", "uid:gid", "name", "name:group") to numeric ids, read
// from the image's /etc/passwd and /etc/group (the topmost layer that has the file wins).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
}

/** layerDirs: base layer first, as ImageStore.layerDirs returns them. */
export async function resolveUser(user: string, layerDirs: readonly string[]): Promise<ResolvedUser> {
  if (user === '') return { uid: 0, gid: 0 };
  const [name = '', group] = user.split(':', 2);
  const passwd = await topmost(layerDirs, 'etc/passwd');
  const entry = lookup(passwd, name, 2);
  const uid = entry ? Number(entry[2]) : numeric(name, user);
  let gid = entry ? Number(entry[3]) : 0;
  if (group !== undefined) {
    const g = lookup(await topmost(layerDirs, 'etc/group'), group, 2);
    gid = g ? Number(g[2]) : numeric(group, user);
  }
  return { uid, gid };
}

/** The line whose name (field 0) or id (field idField) equals key. */
function lookup(file: string, key: string, idField: number): string[] | undefined {
  return file
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === key || f[idField] === key);
}

function numeric(s: string, user: string): number {
  if (!/^\d+$/.test(s)) throw invalid(`unable to find user ${user}: no matching entries in passwd file`, 'container.user');
  return Number(s);
}

async function topmost(layerDirs: readonly string[], rel: string): Promise<string> {
  for (const dir of [...layerDirs].reverse()) {
    const text = await readFile(join(dir, rel), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return '';
}
