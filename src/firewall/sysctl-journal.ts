// The host settings tetherd changes (forwarding, br_netfilter's bridge-nf-call-*) as they were
// before it first changed them, kept in a file in the data root so `tetherd uninstall` can put
// them back, across any number of daemon restarts: the first value seen wins.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kernel } from '../kernel/kernel.js';

type Saved = Record<string, string>;

export class SysctlJournal {
  /** The journal of a daemon's data root. */
  static of(dataRoot: string, kernel: Pick<Kernel, 'readSysctl' | 'sysctl'>): SysctlJournal {
    return new SysctlJournal(join(dataRoot, 'host-settings.json'), kernel);
  }

  constructor(
    private readonly file: string,
    private readonly kernel: Pick<Kernel, 'readSysctl' | 'sysctl'>,
  ) {}

  /** Writes key = value, first noting the value the host had if this is the first change. */
  async set(key: string, value: string): Promise<void> {
    const saved = await this.read();
    if (!(key in saved)) {
      saved[key] = await this.kernel.readSysctl(key);
      await writeFile(this.file, `${JSON.stringify(saved, null, 1)}\n`);
    }
    await this.kernel.sysctl(key, value);
  }

  /** Puts every noted setting back and forgets them; returns what it restored. */
  async restore(): Promise<string[]> {
    const saved = await this.read();
    const restored: string[] = [];
    for (const [key, before] of Object.entries(saved)) {
      await this.kernel.sysctl(key, before);
      restored.push(`${key}=${before}`);
    }
    await rm(this.file, { force: true });
    return restored;
  }

  private async read(): Promise<Saved> {
    return existsSync(this.file) ? (JSON.parse(await readFile(this.file, 'utf8')) as Saved) : {};
  }
}
