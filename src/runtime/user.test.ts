import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveUser } from './user.js';

describe('user resolution', () => {
  it('reads names from the topmost layer, accepts numbers, refuses unknown names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-user-'));
    try {
      const base = join(dir, 'base');
      const top = join(dir, 'top');
      mkdirSync(join(base, 'etc'), { recursive: true });
      mkdirSync(join(top, 'etc'), { recursive: true });
      writeFileSync(join(base, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nold:x:5:5::/:/bin/sh\n');
      writeFileSync(join(top, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nweb:x:33:34::/var/www:/bin/false\n');
      writeFileSync(join(base, 'etc', 'group'), 'root:x:0:\nstaff:x:50:\n');
      const layers = [base, top];
      assert.deepEqual(await resolveUser('', layers), { uid: 0, gid: 0 });
      assert.deepEqual(await resolveUser('web', layers), { uid: 33, gid: 34 });
      assert.deepEqual(await resolveUser('web:staff', layers), { uid: 33, gid: 50 });
      assert.deepEqual(await resolveUser('1000:1000', layers), { uid: 1000, gid: 1000 });
      await assert.rejects(resolveUser('old', layers), /unable to find user old/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
