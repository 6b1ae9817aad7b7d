import { customerOf } from '../sync/calcom-webhook.mapping.js';
import { parseCalcomWebhook, type CalcomWebhook } from '../sync/calcom-webhook.parser.js';

/**
 * Personal data of customers (issue 15, crypto-shredding): which fields of which events hold it, and whose it is.
 * The event store encrypts those fields under the customer's own key when it appends them; erasing the customer
 * destroys the key, and every later read shows `ERASED` in each of those fields. Everything else of the event (times,
 * staff, service, ids) stays readable, and the stored bytes, which the hash chain covers, never change.
 */

/** What an erased field reads as: the same type as before (a string), so every reader keeps working. */
export const ERASED = '[erased]';

/** A field's place in an event's data: property names and array indexes from the top. */
export type DataPath = readonly (string | number)[];

/** Fields of one event that belong to one customer, named by the e-mail address the event gives them. */
export interface PersonalFields {
  email: string;
  paths: DataPath[];
}

/** One address, one customer: e-mail addresses are compared trimmed, in Unicode NFC and lower case. */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();

type Locate = (data: Record<string, unknown>) => PersonalFields[];

const CONTACT_FIELDS = ['name', 'email', 'phone'] as const;

/** The contact fields of a customer-shaped object at `at` (name, email, phone) that hold a value. */
function contactAt(data: Record<string, unknown>, at: DataPath): PersonalFields | null {
  const contact = valueAt(data, at);
  if (!isRecord(contact) || typeof contact.email !== 'string' || contact.email === ERASED) return null;
  const paths = CONTACT_FIELDS.filter((field) => typeof contact[field] === 'string').map((field) => [...at, field]);
  return { email: contact.email, paths };
}

/** The customer and the notes about them: AppointmentScheduled and ContactDetailsChanged. */
const customerAndNotes: Locate = (data) => {
  const customer = contactAt(data, ['customer']);
  if (!customer) return [];
  return [{ email: customer.email, paths: typeof data.notes === 'string' ? [...customer.paths, ['notes']] : customer.paths }];
};

interface ReadWebhookFact {
  body: string;
  contentType: string | null;
  bookerEmail: string | null;
}

/** Facts the intake has read already, by their data object: the booker, without reading the body a second time. */
const readWebhookFacts = new WeakMap<object, ReadWebhookFact>();

/**
 * The intake read this fact's body (`parseCalcomWebhook(data.body, data.contentType)` gave `webhook`): sealing the
 * same data object need not read it again. Kept only while the object lives; a body or content type changed since
 * is read again.
 */
export function noteWebhookFactRead(data: { body: string; contentType: string | null }, webhook: CalcomWebhook): void {
  readWebhookFacts.set(data, { body: data.body, contentType: data.contentType, bookerEmail: customerOf(webhook)?.email ?? null });
}

/** The raw webhook body (attendees, responses, notes): all of it under its booker's key; a body naming no one stays. */
const webhookBody: Locate = (data) => {
  if (typeof data.body !== 'string') return [];
  const contentType = typeof data.contentType === 'string' ? data.contentType : null;
  const email = bookerEmailOf(data, data.body, contentType);
  return email ? [{ email, paths: [['body']] }] : [];
};

function bookerEmailOf(data: Record<string, unknown>, body: string, contentType: string | null): string | null {
  const read = readWebhookFacts.get(data);
  if (read && read.body === body && read.contentType === contentType) return read.bookerEmail;
  const parsed = parseCalcomWebhook(body, contentType);
  return parsed.ok ? (customerOf(parsed.webhook)?.email ?? null) : null;
}

/** A create call's attendee (calcom-sync.workflow.ts). */
const requestAttendee: Locate = (data) => {
  const attendee = contactAt(data, ['request', 'attendee']);
  return attendee ? [attendee] : [];
};

/** Cal.com's attendee of each drift item: one event can name many customers. */
const driftAttendees: Locate = (data) => {
  if (!Array.isArray(data.items)) return [];
  return data.items.flatMap((_, index) => contactAt(data, ['items', index, 'calcom', 'attendee']) ?? []);
};

const LOCATORS: Readonly<Record<string, Locate>> = {
  AppointmentScheduled: customerAndNotes,
  ContactDetailsChanged: customerAndNotes,
  CalcomWebhookReceived: webhookBody,
  CalcomOperationStarted: requestAttendee,
  DriftCheckCompleted: driftAttendees,
};

/** The event types that can hold personal data; every other type is stored as it is. */
export const personalDataEventTypes: readonly string[] = Object.keys(LOCATORS);

/** The personal fields of one event, grouped by customer; empty when it holds none (or only erased markers). */
export function personalDataOf(type: string, data: unknown): PersonalFields[] {
  const locate = Object.hasOwn(LOCATORS, type) ? LOCATORS[type] : undefined;
  return locate && isRecord(data) ? mergedByEmail(locate(data)) : [];
}

/** Two groups for the same address (two drift items of one customer) share one key: one envelope each is enough. */
function mergedByEmail(groups: PersonalFields[]): PersonalFields[] {
  if (groups.length < 2) return groups;
  const byEmail = new Map<string, PersonalFields>();
  for (const group of groups) {
    const email = normaliseEmail(group.email);
    const known = byEmail.get(email);
    if (known) known.paths.push(...group.paths);
    else byEmail.set(email, { email: group.email, paths: [...group.paths] });
  }
  return [...byEmail.values()];
}

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const step of path) {
    if (typeof step === 'number' ? !Array.isArray(value) : !isRecord(value)) return undefined;
    value = (value as Record<string | number, unknown>)[step];
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
