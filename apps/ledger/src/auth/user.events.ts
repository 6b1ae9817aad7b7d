import type { Role } from '../config.js';

/**
 * What happens to an account, on the record in its own `user-<id>` stream: who was added, whose password was reset,
 * who was disabled, every sign-in, failed sign-in and sign-out. Never a password or its hash.
 */
export type UserEvent =
  | { type: 'UserAdded'; data: { userId: string; email: string; name: string; role: Role } }
  | { type: 'UserPasswordReset'; data: { userId: string } }
  | { type: 'UserDisabled'; data: { userId: string; sessionsEnded: number } }
  | { type: 'UserSignedIn'; data: { userId: string; clientAddress: string | null } }
  | { type: 'UserSignInFailed'; data: { userId: string; reason: 'wrong-password' | 'disabled'; clientAddress: string | null } }
  | { type: 'UserSignInLocked'; data: { userId: string | null; email: string; lockedUntil: string; by: 'email' | 'address'; clientAddress: string | null } }
  | { type: 'UserSignedOut'; data: { userId: string } };

/** In `unknownAccountSignInsStream`, besides `UserSignInLocked` with `userId: null`. */
export type UnknownAccountSignInFailed = { type: 'UnknownAccountSignInFailed'; data: { email: string; clientAddress: string | null } };

export const userStreamPrefix = 'user-';
export const userStream = (userId: string): string => `${userStreamPrefix}${userId}`;

/**
 * Failed sign-ins for emails that belong to no account. One stream for all of them (not one per email a stranger
 * makes up), and each client address can only add so many before the throttle answers 429 without recording more.
 */
export const unknownAccountSignInsStream = 'sign-ins-unknown-account';
