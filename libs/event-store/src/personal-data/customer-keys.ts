/** A customer's key as the key table holds it while it lives. */
export interface CustomerKey {
  keyId: string;
  subjectId: string;
  key: Buffer;
}

/** What an erasure did, and the erasure on record for the customer (the latest, if they were erased before). */
export interface ErasureResult {
  subjectId: string;
  keysDestroyed: number;
  /** Keys the customer ever had, erased or not. */
  keysKnown: number;
  /** null when nothing was ever recorded for the customer (no key, nothing else erased). */
  erasure: { erasedAt: string; erasedBy: string; reason: string } | null;
}

export type SqlQuery = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * The key table (outside the event log): one live key per customer, made on first use, destroyed by an erasure.
 * Customers are known by a subject id, a keyed hash of their normalised e-mail address, never by the address.
 */
export interface CustomerKeys {
  subjectOf(email: string): string;
  /** The live key of each address's customer, by subject id; made when there is none. */
  keysForWriting(emails: readonly string[]): Promise<Map<string, CustomerKey>>;
  /** Keys by id; an erased (or unknown) key is absent from the answer. */
  keysForReading(keyIds: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * Destroys every live key of the address's customer and runs `alsoErase` in the same transaction (the read models'
   * part). `alsoErase` answers whether it found anything: a customer with no key but erased rows is still recorded.
   */
  erase(email: string, by: { actor: string; reason: string }, alsoErase: (query: SqlQuery) => Promise<boolean>): Promise<ErasureResult>;
  /**
   * Moves whenever a key may have been destroyed (here or in another process); null while an erasure could go unseen.
   * What was opened under one version may be remembered until it moves.
   */
  keysVersion(): number | null;
  /** Events recorded before personal data was encrypted whose data holds the text (0 when there are none to search). */
  countClearEventsMentioning(text: string): Promise<number>;
  close(): Promise<void>;
}
