import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's first recommended setting (m=19 MiB, t=2, p=1), about 30 ms here. `Algorithm` is a const
 * enum that the test transpiler cannot inline, so its value is written out: 2 is Argon2id.
 */
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

/** False for a wrong password and for a hash that cannot be read: either way, no sign-in. */
export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let decoy: Promise<string> | undefined;

/**
 * For an email without an account: a verification as costly as a real one, so the answer's timing does not tell
 * which emails have accounts.
 */
export async function spendVerificationTime(password: string): Promise<void> {
  decoy ??= hashPassword('decoy password that matches nothing');
  await passwordMatches(await decoy, password);
}
