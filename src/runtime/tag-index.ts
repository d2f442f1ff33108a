// name:tag → image id. A small interface so the lead can back it with the SQLite store later;
// JsonTagIndex keeps it in one JSON file, replaced atomically (write to temp, rename).
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

export interface TagIndex {
  get(ref: string): string | undefined;
  set(ref: string, imageId: string): Promise<void>;
  delete(ref: string): Promise<void>;
  entries(): [ref: string, imageId: string][];
}

export class JsonTagIndex implements TagIndex {
  private readonly tags: Map<string, string>;
  /** Saves run one after another: two renames of half-written temp files must never race. */
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {
    let stored: Record<string, string> = {};
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.tags = new Map(Object.entries(stored));
  }

  get(ref: string): string | undefined {
    return this.tags.get(ref);
  }

  async set(ref: string, imageId: string): Promise<void> {
    this.tags.set(ref, imageId);
    await this.save();
  }

  async delete(ref: string): Promise<void> {
    if (this.tags.delete(ref)) await this.save();
  }

  entries(): [string, string][] {
    return [...this.tags];
  }

  private save(): Promise<void> {
    const write = async (): Promise<void> => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, JSON.stringify(Object.fromEntries([...this.tags].sort()), null, 1));
      await rename(tmp, this.file);
    };
    this.saving = this.saving.then(write, write);
    return this.saving;
  }
}
