// The busybox image every container test uses, built once per run from Debian's busybox-static
// (scripts/build-busybox-image.sh: no network needed).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(import.meta.dirname, '../../../scripts/build-busybox-image.sh');

export function busyboxTar(): string {
  const out = join(tmpdir(), `tether-busybox-${process.getuid?.() ?? 0}.tar`);
  if (!existsSync(out)) execFileSync('bash', [SCRIPT, out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}
