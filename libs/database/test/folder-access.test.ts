import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSearchableBy } from '../src/folder-access.js';

const modeOf = async (path: string) => ((await stat(path)).mode & 0o7777).toString(8);
const isRoot = process.getuid?.() === 0;
// An account that owns nothing on the machine unless a test hands it a folder.
const postgres = { uid: 54_321, gid: 54_321 };

describe('makeSearchableBy: only the search bit the postgres account lacks, never a bit removed', () => {
  let base: string;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'folder-access-'));
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function folders(modes: Record<string, number>): Promise<string> {
    let path = base;
    for (const [name, mode] of Object.entries(modes)) {
      path = join(path, name);
      await mkdir(path);
      await chmod(path, mode);
    }
    return path;
  }

  it('adds o+x where others lack it and keeps sticky, setgid, write and read bits', async () => {
    const tmpBefore = execFileSync('stat', ['-c', '%a', '/tmp'], { encoding: 'utf8' }).trim();
    await chmod(base, 0o700);
    const leaf = await folders({ sticky: 0o1777, private: 0o700, team: 0o2750, open: 0o755, writable: 0o1733, data: 0o700 });

    const changes = await makeSearchableBy(postgres, leaf);

    expect(await modeOf(base)).toBe('701');
    expect(await modeOf(join(base, 'sticky'))).toBe('1777');
    expect(await modeOf(join(base, 'sticky/private'))).toBe('701');
    expect(await modeOf(join(base, 'sticky/private/team'))).toBe('2751');
    expect(await modeOf(join(base, 'sticky/private/team/open'))).toBe('755');
    expect(await modeOf(join(base, 'sticky/private/team/open/writable'))).toBe('1733');
    expect(await modeOf(leaf)).toBe('701');
    expect(changes.map((c) => c.folder)).toEqual([base, join(base, 'sticky/private'), join(base, 'sticky/private/team'), leaf]);
    expect(execFileSync('stat', ['-c', '%a', '/tmp'], { encoding: 'utf8' }).trim()).toBe(tmpBefore);
    expect(await modeOf('/')).toBe(((await stat('/')).mode & 0o7777).toString(8));
  });

  it('changes nothing when every folder can already be searched', async () => {
    const leaf = await folders({ a: 0o1777, b: 0o711, c: 0o755 });
    await chmod(base, 0o755);
    expect(await makeSearchableBy(postgres, leaf)).toEqual([]);
    expect([await modeOf(join(base, 'a')), await modeOf(join(base, 'a/b')), await modeOf(leaf)]).toEqual(['1777', '711', '755']);
  });

  (isRoot ? it : it.skip)('adds the owner or group bit when the folder is the account’s, not o+x', async () => {
    await chmod(base, 0o755);
    const owned = await folders({ owned: 0o600 });
    await chown(owned, postgres.uid, 0);
    const grouped = join(owned, 'grouped');
    await mkdir(grouped);
    await chmod(grouped, 0o700);
    await chown(grouped, 0, postgres.gid);

    await makeSearchableBy(postgres, grouped);

    expect(await modeOf(owned)).toBe('700');
    expect(await modeOf(grouped)).toBe('710');
  });
});
