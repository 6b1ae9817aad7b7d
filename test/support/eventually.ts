/**
 * Retries `check` until it stops throwing (a failed `expect` throws) and returns its value; after `timeoutMs`
 * rethrows the last failure. For waiting on asynchronous work without sleeping a guessed time.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
