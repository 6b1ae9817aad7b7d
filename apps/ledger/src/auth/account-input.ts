import { isEmail } from 'class-validator';
import { textProblem } from '#domain';
import type { Role } from '../config.js';

/**
 * The rules for what an account holds, shared by the sign-in body, the users CLI and the first admin, on top of the
 * domain's input rules (no NUL, no unpaired surrogates, one line).
 */
export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 200;
export const MIN_PASSWORD_LENGTH = 12;
/** Far beyond any passphrase; argon2 would hash more, but a megabyte "password" is an attack on the CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function emailProblem(value: unknown): string | null {
  const problem = textProblem(value, { maxLength: EMAIL_MAX_LENGTH, minLength: 1 });
  if (problem) return problem;
  return isEmail(normalizeEmail(value as string)) ? null : 'must be an email address';
}

export const nameProblem = (value: unknown): string | null => textProblem(value, { maxLength: NAME_MAX_LENGTH, minLength: 1 });

/** A password at sign-in: anything storable, so that a hostile body is a 400 and never reaches the hasher. */
export const passwordTextProblem = (value: unknown): string | null => {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return textProblem(value, { maxLength: MAX_PASSWORD_LENGTH, minLength: 1 });
};

/** A new password: long enough to be worth hashing. */
export function newPasswordProblem(value: unknown): string | null {
  const problem = passwordTextProblem(value);
  if (problem) return problem;
  return (value as string).length < MIN_PASSWORD_LENGTH ? `must be at least ${MIN_PASSWORD_LENGTH} characters` : null;
}

export const isRole = (value: unknown): value is Role => value === 'admin' || value === 'auditor';
