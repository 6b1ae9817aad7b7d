import type { CatalogCommand } from '../src/catalog/catalog.commands.js';
import { catalogDecider } from '../src/catalog/catalog.decider.js';
import type { CatalogEvent, ServiceSaved, StaffMemberSaved } from '../src/catalog/catalog.events.js';
import { deciderSpecification } from './support/decider-specification.js';

const given = deciderSpecification(catalogDecider);

const saved: ServiceSaved = {
  type: 'ServiceSaved',
  data: { serviceId: 'cut', name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 11, kim: 12 } },
};
const saveService = (data: ServiceSaved['data'] = saved.data): CatalogCommand => ({ type: 'SaveService', data });

const staffSaved: StaffMemberSaved = { type: 'StaffMemberSaved', data: { staffId: 'sam', name: 'Sam Carter', email: 'sam@salon.example', calcomUserId: null } };
const saveStaff = (data: StaffMemberSaved['data'] = staffSaved.data): CatalogCommand => ({ type: 'SaveStaffMember', data });

describe('saving a catalog entry', () => {
  it('records a new entry', () => {
    given([]).when(saveService()).then([saved]);
  });

  it('records nothing when the same fields are saved again, in any key order', () => {
    const stored: CatalogEvent = JSON.parse('{"type":"ServiceSaved","data":{"name":"Haircut","serviceId":"cut","calcomEventTypeIds":{"kim":12,"sam":11},"durationMinutes":30}}');
    given([stored]).when(saveService()).thenNothingHappens();
  });

  it('records a change', () => {
    const longer: ServiceSaved = { ...saved, data: { ...saved.data, durationMinutes: 45 } };
    given([saved]).when(saveService(longer.data)).then([longer]);
  });

  it('records a new staff member, and nothing when the same one is saved again', () => {
    given([]).when(saveStaff()).then([staffSaved]);
    given([staffSaved]).when(saveStaff()).thenNothingHappens();
  });

  it('keeps the latest save: going back to an earlier version of the entry is a change', () => {
    const moved: StaffMemberSaved = { ...staffSaved, data: { ...staffSaved.data, calcomUserId: 7 } };
    given([staffSaved, moved]).when(saveStaff()).then([staffSaved]);
  });

  it('compares data as data: 500 event types stored in reverse order, a name like `__proto__`, astral characters', () => {
    const ids = Array.from({ length: 500 }, (_, i) => [`staff-${i}`, 9_007_199_254_740_991 - i] as const);
    const big: ServiceSaved = { type: 'ServiceSaved', data: { serviceId: 'cut', name: '__proto__ 💇', durationMinutes: 1440, calcomEventTypeIds: Object.fromEntries(ids) } };
    const stored: CatalogEvent = JSON.parse(JSON.stringify({ type: 'ServiceSaved', data: { ...big.data, calcomEventTypeIds: Object.fromEntries([...ids].reverse()) } }));
    given([stored]).when(saveService(big.data)).thenNothingHappens();
    const oneMore = { ...big.data.calcomEventTypeIds, 'staff-500': 1 };
    given([stored])
      .when(saveService({ ...big.data, calcomEventTypeIds: oneMore }))
      .then([{ type: 'ServiceSaved', data: { ...big.data, calcomEventTypeIds: oneMore } }]);
  });
});
