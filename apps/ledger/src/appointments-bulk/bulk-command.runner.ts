import { Logger } from '@nestjs/common';
import { type CommandBus } from '@nestjs/cqrs';
import type { EventMetadata } from '#event-store';
import type { ErrorBody } from '../http/error-body.js';
import { HttpExceptionFilter } from '../http/http-exception.filter.js';
import { fingerprintOf, type IdempotentRequests } from '../idempotency/idempotent-requests.js';
import { type BulkItem, parseBulkRequest } from './bulk-request.js';

export interface BulkResult {
  appointmentId: string | null;
  status: number;
  version?: number;
  /** As the single endpoint answers it: what Cal.com will not be told (desk actions). */
  calcom?: { notSynced: string[] };
  error?: ErrorBody['error'];
}

export interface BulkAnswer {
  results: BulkResult[];
  /** True when this is the stored answer of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

const SCOPE = 'appointments-bulk';
/** Appointments changed at once; one appointment's commands always run one after the other, in the order given. */
const CONCURRENCY = 4;

/**
 * `POST /appointments/bulk`: every item goes through the command bus exactly as its single endpoint sends it, and is
 * answered on its own; a failure is that item's answer and undoes nothing else. With an Idempotency-Key, each item's
 * answer is kept as it is given, so a repeat answers the same without acting again. An item refused for now (503, nothing
 * done) is not kept: the repeat carries out exactly those items (and the same appointment's items after them).
 */
export class BulkCommandRunner {
  private readonly logger = new Logger('BulkCommands');
  private readonly errors = new HttpExceptionFilter();

  constructor(
    private readonly commands: CommandBus,
    private readonly requests: IdempotentRequests,
  ) {}

  async run(raw: unknown, idempotencyKey: string | null, metadataFor: (reason: string | null, index: number) => EventMetadata): Promise<BulkAnswer> {
    const items = await parseBulkRequest(raw);
    let done = new Map<number, BulkResult>();
    if (idempotencyKey) {
      const claim = await this.requests.claim<BulkResult[], BulkResult>(SCOPE, idempotencyKey, fingerprintOf(raw));
      if (claim.kind === 'answered') return { results: claim.answer, replayed: true };
      done = claim.steps;
    }
    const results: BulkResult[] = new Array(items.length);
    for (const [index, result] of done) results[index] = result;
    const lanes = byAppointment(items.map((item, index) => ({ item, index })).filter(({ index }) => !done.has(index)));
    let leftForRepeat = false;
    await inParallel(lanes, CONCURRENCY, async (lane) => {
      let refusedForNow: BulkResult | null = null;
      for (const { item, index } of lane) {
        // An appointment's later commands wait behind one refused for now, so that a repeat keeps their order.
        results[index] = refusedForNow
          ? { ...refusedForNow, appointmentId: item.appointmentId }
          : await this.answer(item, metadataFor('reason' in item ? item.reason : null, index));
        if (isRefusedForNow(results[index])) {
          refusedForNow = results[index];
          leftForRepeat = true;
        } else if (idempotencyKey) await this.requests.stepDone(SCOPE, idempotencyKey, index, results[index]);
      }
    });
    if (idempotencyKey && leftForRepeat) await this.requests.leaveForRepeat(SCOPE, idempotencyKey);
    else if (idempotencyKey) await this.requests.answered(SCOPE, idempotencyKey, results);
    return { results, replayed: false };
  }

  private async answer(item: BulkItem, metadata: EventMetadata): Promise<BulkResult> {
    try {
      if ('refused' in item) throw item.refused;
      const result = await this.commands.execute(item.kind.build(item.appointmentId, item.body, item.expectedVersion, metadata));
      return { appointmentId: item.appointmentId, status: 200, version: result.version, ...(result.calcom ? { calcom: result.calcom } : {}) };
    } catch (error) {
      const [status, body] = this.errors.describe(error);
      if (status === 500) this.logger.error({ message: 'bulk item failed', appointmentId: item.appointmentId, error: String(error) });
      return { appointmentId: item.appointmentId, status, error: body.error };
    }
  }
}

/** 503 READ_MODEL_BEHIND / COMMAND_TIMEOUT: nothing was done, and the same command may succeed on a repeat. */
const isRefusedForNow = (result: BulkResult): boolean => result.status === 503 && typeof result.error?.details.retryAfterSeconds === 'number';

/** Items grouped by appointment, each group in request order (a refused item without an id is a group of its own). */
function byAppointment<T extends { item: BulkItem }>(entries: T[]): T[][] {
  const lanes = new Map<string, T[]>();
  const alone: T[][] = [];
  for (const entry of entries) {
    const id = entry.item.appointmentId;
    if (id === null) alone.push([entry]);
    else lanes.set(id, [...(lanes.get(id) ?? []), entry]);
  }
  return [...lanes.values(), ...alone];
}

async function inParallel<T>(work: T[], concurrency: number, run: (entry: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < work.length) await run(work[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
}
