import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventStore } from '#event-store';
import { normalizeEmail } from './account-input.js';
import { type Account, type Accounts, publicUser } from './accounts.js';
import { passwordMatches, spendVerificationTime } from './password-hashing.js';
import type { SignInThrottle } from './sign-in.throttle.js';
import { unknownAccountSignInsStream } from './user.events.js';

export type SignInOutcome = { outcome: 'signed-in'; account: Account } | { outcome: 'invalid' } | { outcome: 'locked'; retryAfterSeconds: number };

export interface SignInAttempt {
  email: string;
  password: string;
  /** The client's address as Express sees it (X-Forwarded-For only with TRUST_PROXY). */
  clientAddress: string | null;
  correlationId: string;
}

/**
 * Checks a password and puts the attempt on the record. A locked email or address is refused before any password is
 * checked (and the refusal is not recorded again: a locked guesser cannot grow the record). An unknown email costs
 * as much time as a wrong password and gets the same answer.
 */
export class SignInService {
  constructor(
    private readonly accounts: Accounts,
    private readonly throttle: SignInThrottle,
    private readonly store: EventStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async signIn(attempt: SignInAttempt): Promise<SignInOutcome> {
    const email = normalizeEmail(attempt.email);
    const address = attempt.clientAddress ?? 'unknown';
    const verdict = await this.throttle.check(email, address);
    if (verdict.lockedUntil) return { outcome: 'locked', retryAfterSeconds: this.secondsUntil(verdict.lockedUntil) };

    const account = await this.accounts.byEmail(email);
    if (!account) await spendVerificationTime(attempt.password);
    const matches = account ? await passwordMatches(account.passwordHash, attempt.password) : false;
    if (account && matches && !account.disabled) {
      await this.throttle.succeeded(email);
      await this.accounts.record(account.id, { type: 'UserSignedIn', data: { userId: account.id, clientAddress: attempt.clientAddress } }, this.metadata(attempt, account));
      return { outcome: 'signed-in', account: { ...publicUser(account), disabled: false } };
    }

    if (account) {
      const reason = account.disabled ? 'disabled' : 'wrong-password';
      await this.accounts.record(
        account.id,
        { type: 'UserSignInFailed', data: { userId: account.id, reason, clientAddress: attempt.clientAddress } },
        this.metadata(attempt, null),
      );
    } else {
      await this.recordUnknown({ type: 'UnknownAccountSignInFailed', data: { email, clientAddress: attempt.clientAddress } }, attempt);
    }
    const locked = await this.throttle.failed(email, address);
    if (locked.lockedUntil) {
      const data = { userId: account?.id ?? null, email, lockedUntil: locked.lockedUntil.toISOString(), by: locked.by ?? 'email', clientAddress: attempt.clientAddress };
      if (account) await this.accounts.record(account.id, { type: 'UserSignInLocked', data }, this.metadata(attempt, null));
      else await this.recordUnknown({ type: 'UserSignInLocked', data }, attempt);
    }
    return { outcome: 'invalid' };
  }

  private async recordUnknown(event: { type: string; data: Record<string, unknown> }, attempt: SignInAttempt): Promise<void> {
    await this.store.appendToStream(unknownAccountSignInsStream, [{ id: randomUUID(), ...event, metadata: this.metadata(attempt, null) }], {
      expectedRevision: 'any',
    });
  }

  /** A success is the person's own act; a failure is nobody's yet. */
  private metadata(attempt: SignInAttempt, account: Account | null): EventMetadata {
    return {
      actor: account ? account.name : 'anonymous',
      actorId: account?.id ?? null,
      source: 'admin',
      correlationId: attempt.correlationId,
      causationId: null,
      reason: null,
    };
  }

  private secondsUntil(moment: Date): number {
    return Math.max(1, Math.ceil((moment.getTime() - this.now().getTime()) / 1000));
  }
}
