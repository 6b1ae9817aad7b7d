import { decideSave, latestSaved } from '../src/catalog/catalog.decider.js';
import type { ServiceSaved } from '../src/catalog/catalog.events.js';

const saved: ServiceSaved = {
  type: 'ServiceSaved',
  data: { serviceId: 'cut', name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 11, kim: 12 } },
};

describe('saving a catalog entry', () => {
  it('records a new entry', () => {
    expect(decideSave(null, saved)).toEqual([saved]);
  });

  it('records nothing when the same fields are saved again, in any key order', () => {
    const current = latestSaved([JSON.parse('{"type":"ServiceSaved","data":{"name":"Haircut","serviceId":"cut","calcomEventTypeIds":{"kim":12,"sam":11},"durationMinutes":30}}')]);
    expect(decideSave(current, saved)).toEqual([]);
  });

  it('records a change', () => {
    const longer: ServiceSaved = { ...saved, data: { ...saved.data, durationMinutes: 45 } };
    expect(decideSave(saved.data, longer)).toEqual([longer]);
  });
});
