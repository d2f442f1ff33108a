// The fixed helper scripts of this checkout (scripts/): found from the compiled module, so the
// daemon works from any working directory and from a clone anywhere.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** scripts/<name>: the nearest one above the compiled module. */
export function scriptPath(name: string): string {
  const rel = join('scripts', name);
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== '/'; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
  }
  return join(process.cwd(), rel);
}
