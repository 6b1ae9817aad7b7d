import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { START, type Position } from '../event-store.port.js';

export interface CopyProgress {
  /** The source position up to which every event is in the target. */
  position: Position;
  copied: number;
}

interface CheckpointFile extends CopyProgress {
  from: string;
  to: string;
  updatedAt: string;
}

export class CheckpointMismatchError extends Error {
  constructor(file: string, found: { from: string; to: string }) {
    super(`${file} belongs to a copy from ${found.from} to ${found.to}: delete it, or pass another --checkpoint`);
    this.name = 'CheckpointMismatchError';
  }
}

/**
 * The copy's progress in a small JSON file, replaced atomically (write, then rename) after each batch, so an
 * interrupted copy resumes after the last batch it saved. It names both ends (without credentials), so that it
 * is not taken for the progress of another copy.
 */
export class CopyCheckpoint {
  constructor(
    private readonly file: string,
    private readonly from: string,
    private readonly to: string,
  ) {}

  async load(): Promise<CopyProgress> {
    if (!existsSync(this.file)) return { position: START, copied: 0 };
    const saved = JSON.parse(await readFile(this.file, 'utf8')) as CheckpointFile;
    if (saved.from !== this.from || saved.to !== this.to) throw new CheckpointMismatchError(this.file, saved);
    return { position: saved.position, copied: saved.copied };
  }

  async save(progress: CopyProgress): Promise<void> {
    const content: CheckpointFile = { from: this.from, to: this.to, ...progress, updatedAt: new Date().toISOString() };
    const temporary = `${this.file}.tmp`;
    await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`);
    await rename(temporary, this.file);
  }
}
