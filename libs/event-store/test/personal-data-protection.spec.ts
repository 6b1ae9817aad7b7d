import { randomBytes, randomUUID } from 'node:crypto';
import { ERASED, personalDataOf } from '#domain';
import type { CustomerKey, CustomerKeys } from '../src/personal-data/customer-keys.js';
import { PersonalDataProtection } from '../src/personal-data/personal-data-protection.js';
import { RecentEntries } from '../src/personal-data/recent-entries.js';

/** Keys in memory whose reads can be held back, and whose version the test moves (as an erasure elsewhere would). */
class HeldKeys implements Pick<CustomerKeys, 'subjectOf' | 'keysForWriting' | 'keysForReading' | 'keysVersion'> {
  version = 1;
  private readonly bySubject = new Map<string, CustomerKey>();
  private held: Promise<void> | null = null;
  private release: () => void = () => undefined;

  subjectOf(email: string): string {
    return email.toLowerCase();
  }

  async keysForWriting(emails: readonly string[]): Promise<Map<string, CustomerKey>> {
    for (const subjectId of emails.map((email) => this.subjectOf(email)))
      if (!this.bySubject.has(subjectId)) this.bySubject.set(subjectId, { keyId: randomUUID(), subjectId, key: randomBytes(32) });
    return this.bySubject;
  }

  async keysForReading(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    await this.held;
    return new Map([...this.bySubject.values()].filter((key) => keyIds.includes(key.keyId)).map((key) => [key.keyId, key.key]));
  }

  keysVersion(): number | null {
    return this.version;
  }

  /** As an erasure does: the key is gone and the version moves. */
  erase(email: string): void {
    this.bySubject.delete(this.subjectOf(email));
    this.version++;
  }

  holdReads(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  releaseReads(): void {
    this.held = null;
    this.release();
  }
}

const scheduled = (name: string) => ({
  id: randomUUID(),
  type: 'AppointmentScheduled',
  data: { appointmentId: randomUUID(), customer: { name, email: `${name.toLowerCase()}@example.org`, timeZone: 'UTC' } },
});

const nameOf = (event: { data: unknown }) => (event.data as { customer: { name: string } }).customer.name;

it('a read that found an event opened already keeps it when another read empties the memo meanwhile', async () => {
  const keys = new HeldKeys();
  const protection = new PersonalDataProtection(keys as unknown as CustomerKeys, { locate: personalDataOf, erased: ERASED });
  const [ada, grace, linus] = await protection.seal([scheduled('Ada'), scheduled('Grace'), scheduled('Linus')]);
  await protection.open([ada], (event) => event.id);

  keys.holdReads();
  const reading = protection.open([ada, grace], (event) => event.id);
  keys.version = 2;
  const other = protection.open([linus], (event) => event.id);
  keys.releaseReads();

  expect((await reading).map(nameOf)).toEqual(['Ada', 'Grace']);
  expect((await other).map(nameOf)).toEqual(['Linus']);
});

it('a read that found an event opened already opens it afresh when an erasure is seen while it waits for keys', async () => {
  const keys = new HeldKeys();
  const protection = new PersonalDataProtection(keys as unknown as CustomerKeys, { locate: personalDataOf, erased: ERASED });
  const [ada, grace] = await protection.seal([scheduled('Ada'), scheduled('Grace')]);
  await protection.open([ada], (event) => event.id);

  keys.holdReads();
  const reading = protection.open([ada, grace], (event) => event.id);
  keys.erase('ada@example.org');
  keys.releaseReads();

  expect((await reading).map(nameOf)).toEqual([ERASED, 'Grace']);
});

describe('recent entries', () => {
  it('keep at most their capacity, and what is in use', () => {
    const entries = new RecentEntries<number, string>(4);
    for (let key = 0; key < 100; key++) {
      entries.set(key, `value ${key}`);
      expect(entries.get(0)).toBe('value 0');
    }
    const kept = Array.from({ length: 100 }, (_, key) => key).filter((key) => entries.has(key));
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(kept).toContain(0);
    expect(kept).toContain(99);
  });

  it('of capacity 0 keep nothing', () => {
    const entries = new RecentEntries<number, string>(0);
    entries.set(1, 'one');
    expect(entries.get(1)).toBeUndefined();
  });
});

it('data with an own __proto__ member (as JSON.parse makes it) is sealed and opened as data, not as a prototype', async () => {
  const protection = new PersonalDataProtection(new HeldKeys() as unknown as CustomerKeys, { locate: personalDataOf, erased: ERASED });
  const event = { ...scheduled('Ada'), data: JSON.parse('{"__proto__": {"polluted": true}, "customer": {"name": "Ada", "email": "ada@example.org"}}') };
  const [opened] = await protection.open(await protection.seal([event]), (read) => read.id);
  expect(Object.getPrototypeOf(opened.data)).toBe(Object.prototype);
  expect(Object.hasOwn(opened.data as object, '__proto__')).toBe(true);
  expect(nameOf(opened)).toBe('Ada');
});
