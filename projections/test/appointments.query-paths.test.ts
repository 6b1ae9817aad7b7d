import { appointmentStream } from '#domain';
import { AppointmentsQueries } from '../src/appointments/appointments.queries.js';
import { newEvent } from './ledger-history.js';
import { openTestLedger, projectInBatches, readModelEvents, type TestLedger } from './read-model.fixture.js';

/**
 * The list's filters take index paths that stand for the exact condition (the scale section of `npm run bench`
 * shows them flat); these cases are where such a path could drop a row the condition keeps, or keep one it drops.
 */
let ledger: TestLedger;
let queries: AppointmentsQueries;

async function schedule(appointmentId: string, startsAt: string, endsAt: string, customer: { name: string; email: string; phone: string | null }) {
  const data = { appointmentId, serviceId: 'cut', staffId: 'ana', startsAt, endsAt, customer: { ...customer, timeZone: 'UTC' }, notes: null };
  return ledger.store.appendToStream(appointmentStream(appointmentId), [newEvent('AppointmentScheduled', data)]);
}

beforeAll(async () => {
  ledger = await openTestLedger();
  queries = new AppointmentsQueries(ledger.readModel);
  await schedule('short', '2030-03-31T10:00:00.000Z', '2030-03-31T10:30:00.000Z', { name: 'Ada Lovelace', email: 'ada@mail.test', phone: '+44 20 7946 0018' });
  // Three days, over a change to summer time in much of the world: the longest appointment sets how far back a range looks.
  await schedule('retreat', '2030-03-29T12:00:00.000Z', '2030-04-01T12:00:00.000Z', { name: 'Grace Hopper', email: 'grace@mail.test', phone: null });
  for (let day = 0; day < 20; day++) {
    const start = `2030-02-${String(day + 1).padStart(2, '0')}T09:00:00.000Z`;
    await schedule(`earlier-${day}`, start, start.replace('T09', 'T10'), { name: `Customer ${day}`, email: `c${day}@mail.test`, phone: null });
  }
  const last = await schedule('later', '2030-04-05T09:00:00.000Z', '2030-04-05T09:45:00.000Z', { name: 'Alan Turing', email: 'alan@mail.test', phone: '+44 161 496 0000' });
  await projectInBatches(ledger.readModel, (await readModelEvents(ledger.store, last.position)).events, 50);
});

afterAll(() => ledger?.close());

const listed = async (filter: Parameters<AppointmentsQueries['list']>[0]) => (await queries.list({ limit: 200, ...filter })).items.map((item) => item.appointmentId);

test('a range finds an appointment that started long before it, up to its last millisecond and not after', async () => {
  expect(await listed({ from: '2030-04-01T11:59:59.999Z', to: '2030-04-02T00:00:00.000Z' })).toEqual(['retreat']);
  expect(await listed({ from: '2030-04-01T13:59:59.999+02:00', to: '2030-04-02T00:00:00.000Z' })).toEqual(['retreat']);
  expect(await listed({ from: '2030-04-01T12:00:00.000Z', to: '2030-04-02T00:00:00.000Z' })).toEqual([]);
  expect(await listed({ from: '2030-03-31T10:15:00.000Z', to: '2030-03-31T10:20:00.000Z' })).toEqual(['retreat', 'short']);
  expect(await listed({ from: '2030-03-31T00:00:00.000Z' })).toEqual(['retreat', 'short', 'later']);
});

test('search looks in each field on its own: the text joining them never matches across two', async () => {
  expect(await listed({ search: 'LOVELACE' })).toEqual(['short']);
  expect(await listed({ search: 'ada@mail' })).toEqual(['short']);
  expect(await listed({ search: '7946 00' })).toEqual(['short']);
  expect(await listed({ search: 'Lovelace\nada' })).toEqual([]);
  expect(await listed({ search: 'Hopper\ngrace@mail.test\n' })).toEqual([]);
  expect(await listed({ search: 'test\n' })).toEqual([]);
  expect(await listed({ search: 'mail.test' })).toHaveLength(23);
});

describe('search finds what case-blind containment in the name, email or phone finds, whatever path it takes', () => {
  const odd = [
    { name: 'Jürgen Müller', email: 'j.mueller_1@salon.example', phone: '+49 (30) 123-45_67' },
    { name: 'ÜNAL ÖZTÜRK', email: 'Ünal%50@Salon.Example', phone: null },
    { name: 'Ops Desk', email: '"ops@desk"@salon.example', phone: null },
    { name: 'Front @ Salon', email: 'front@salon.example', phone: null },
    { name: 'Back Slash', email: 'back\\slash@salon.example', phone: null },
    { name: 'At Phone', email: 'at.phone@salon.example', phone: '0@30' },
    { name: 'Nobody', email: 'nobody', phone: null },
    { name: 'Σίσυφος Müller', email: 'mü@salon.example.com', phone: '' },
  ];
  const terms = [
    ...['%', '_', '\\', '@', '"', 'a', 'zz', 'ü', 'Ü', 'Mü', 'MÜLLER', 'müller', 'Müller', 'ΣΊΣΥΦΟΣ', 'σίσυφος'],
    ...['30', '(30)', '45_6', '45%6', '0@3', '0@30', '@30', 'ünal%5', 'NAL%50@', '%50@salon', 'ünal%50@salon.example'],
    ...['ops@desk', '"ops@desk"@', 'desk"@salon', 's@d', 'e@', 'k@', 'ck\\slash@', 'back\\slash@salon', '\\slash@'],
    ...['front@', 't @ s', '@ salon', 'front @', 'nt@salon.example', 'ody@', 'nobody', 'mü@salon.example', 'MÜ@SALON.EXAMPLE.COM'],
    ...['ü@salon', 'j.mueller_1@salon.example', 'j.mueller%1@', 'ada@mail.test', 'da@mail', '1@mail.test', 'c1@', 'c@'],
  ];

  beforeAll(async () => {
    let last;
    for (const [index, customer] of odd.entries()) {
      const start = `2030-01-${String(index + 1).padStart(2, '0')}T09:00:00.000Z`;
      last = await schedule(`odd-${index}`, start, start.replace('T09', 'T10'), customer);
    }
    await projectInBatches(ledger.readModel, (await readModelEvents(ledger.store, last!.position)).events, 50);
  });

  /** The definition, without LIKE and its escapes: each field on its own, lower case on both sides. */
  async function containing(term: string): Promise<string[]> {
    const rows = await ledger.readModel.query<{ appointment_id: string }[]>(
      `SELECT appointment_id FROM appointments
        WHERE strpos(lower(customer->>'name'), lower($1)) > 0 OR strpos(lower(customer->>'email'), lower($1)) > 0
           OR strpos(lower(coalesce(customer->>'phone', '')), lower($1)) > 0
        ORDER BY starts_at, appointment_id`,
      [term],
    );
    return rows.map((row) => row.appointment_id);
  }

  test.each(terms)('%j', async (term) => {
    const expected = await containing(term);
    expect(await listed({ search: term })).toEqual(expected);
  });

  test('the terms reach the odd rows', async () => {
    const reached = new Set((await Promise.all(terms.map(containing))).flat());
    expect(odd.map((_, index) => `odd-${index}`).filter((id) => !reached.has(id))).toEqual([]);
  });
});
