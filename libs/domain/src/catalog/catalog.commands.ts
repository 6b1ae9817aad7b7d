import type { Command } from '../event.js';
import { serviceStream, staffStream, type ServiceSaved, type StaffMemberSaved } from './catalog.events.js';

/** Each is a full replacement of one entry: everything the entry holds, as it should be from now on. */
export type SaveStaffMember = Command<'SaveStaffMember', StaffMemberSaved['data']>;

export type SaveService = Command<'SaveService', ServiceSaved['data']>;

export type CatalogCommand = SaveStaffMember | SaveService;

/** The stream a command's entry lives in. */
export const catalogStreamOf = (command: CatalogCommand): string =>
  command.type === 'SaveStaffMember' ? staffStream(command.data.staffId) : serviceStream(command.data.serviceId);
