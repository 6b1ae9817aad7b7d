import { isEntityId, ValidationFailedError } from '#domain';
import { expectedVersionFromIfMatch, printable } from '../http/path-ids.js';
import { validationPipe } from '../http/validation.js';
import { BULK_COMMANDS, type BulkCommandKind } from './bulk-commands.js';

export const MAX_BULK_COMMANDS = 200;
const ITEM_FIELDS: ReadonlySet<string> = new Set(['appointmentId', 'command', 'body', 'ifMatch']);

/** One item of a bulk request, checked on its own: ready to run, or refused with the error it answers. */
export type BulkItem =
  { appointmentId: string; kind: BulkCommandKind; body: object; expectedVersion: number | undefined; reason: string | null } | { appointmentId: string | null; refused: unknown };

/**
 * `{"commands": [...]}` with 1 to 200 items: anything else refuses the whole request (400). Each item is then checked
 * on its own, its `body` by the DTO of the single endpoint it names, so a bad item is that item's 400, not the
 * request's.
 */
export async function parseBulkRequest(raw: unknown): Promise<BulkItem[]> {
  if (!isPlainObject(raw) || !Array.isArray(raw.commands)) {
    throw new ValidationFailedError('The body must be {"commands": [...]}', { field: 'commands' });
  }
  const unknown = Object.keys(raw).filter((field) => field !== 'commands');
  if (unknown.length > 0) throw new ValidationFailedError(`Unknown field ${printable(unknown[0])}`, { field: printable(unknown[0]) });
  const { commands } = raw;
  if (commands.length < 1 || commands.length > MAX_BULK_COMMANDS) {
    throw new ValidationFailedError(`A bulk request holds 1 to ${MAX_BULK_COMMANDS} commands, not ${commands.length}`, {
      field: 'commands',
      count: commands.length,
      max: MAX_BULK_COMMANDS,
    });
  }
  return Promise.all(commands.map((item, index) => parseItem(item, index)));
}

async function parseItem(item: unknown, index: number): Promise<BulkItem> {
  const field = (name: string) => `commands[${index}].${name}`;
  if (!isPlainObject(item)) return refused(null, 'Each command must be an object', { field: `commands[${index}]` });
  const appointmentId = isEntityId(item.appointmentId) ? item.appointmentId : null;
  const extra = Object.keys(item).find((name) => !ITEM_FIELDS.has(name));
  if (extra !== undefined) return refused(appointmentId, `Unknown field ${printable(extra)}`, { field: field(printable(extra)) });
  if (!appointmentId) return refused(null, 'appointmentId must be an appointment id', { field: field('appointmentId') });
  const kind = typeof item.command === 'string' ? BULK_COMMANDS.get(item.command) : undefined;
  if (!kind) {
    const known = [...BULK_COMMANDS.keys()].join(', ');
    return refused(appointmentId, `command must be one of ${known}`, { field: field('command'), known: [...BULK_COMMANDS.keys()] });
  }
  if (item.ifMatch !== undefined && typeof item.ifMatch !== 'string') return refused(appointmentId, 'ifMatch must be a version in quotes, e.g. "3"', { field: field('ifMatch') });
  if (item.body !== undefined && !isPlainObject(item.body)) return refused(appointmentId, 'body must be an object', { field: field('body') });
  try {
    const expectedVersion = expectedVersionFromIfMatch(item.ifMatch);
    // The very pipe every single endpoint's body goes through: the same rules, the same error details.
    const body = (await validationPipe.transform(item.body ?? {}, { type: 'body', metatype: kind.dto })) as object & { reason?: unknown };
    return { appointmentId, kind, body, expectedVersion, reason: typeof body.reason === 'string' ? body.reason : null };
  } catch (error) {
    return { appointmentId, refused: error };
  }
}

const refused = (appointmentId: string | null, message: string, details: Record<string, unknown>): BulkItem => ({
  appointmentId,
  refused: new ValidationFailedError(message, details),
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
