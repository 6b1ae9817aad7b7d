import { runInThisContext } from 'node:vm';
import type { RawAnswer } from './raw-http.js';

/**
 * What every answer to a hostile request must be: never a 5xx, and anything but a 2xx in the one error shape
 * `{"error":{"code","message","details"}}` with string code and message and an object of details.
 */
export function expectSafeAnswer(answer: RawAnswer, request: string): void {
  const said = `${request} → ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status >= 500) throw new Error(`a client's request got a server error: ${said}`);
  if (answer.status >= 200 && answer.status < 300) return;
  // `/` and `/admin` send a browser on to the admin UI: a redirect to a path of this server is an answer, not an error.
  if ([301, 302, 303, 307, 308].includes(answer.status) && /^\/(?!\/)/.test(answer.headers.location ?? '')) return;
  expectErrorShape(answer, said);
}

export function expectErrorShape(answer: RawAnswer, said: string): void {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`the answer is not the JSON error shape: ${said || '(empty body)'}`);
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const details = error?.details;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string' || typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new Error(`the answer is not {"error":{"code","message","details"}}: ${said}`);
  }
}

/**
 * The prototypes a polluting parser would write to: this test's realm (where the ledger's modules run under Jest)
 * and Node's own realm (where core modules make their objects).
 */
const prototypes = (): [string, object][] => {
  let nodeObjectPrototype: object = process;
  while (Object.getPrototypeOf(nodeObjectPrototype)) nodeObjectPrototype = Object.getPrototypeOf(nodeObjectPrototype);
  return [
    ['Object.prototype', Object.prototype],
    ['Array.prototype', Array.prototype],
    ["Node's Object.prototype", nodeObjectPrototype],
  ];
};

/** Each prototype's own properties as they are now, by key (symbols included). */
const snapshot = (target: object) => new Map(Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)!]));

const sameDescriptor = (a: PropertyDescriptor, b: PropertyDescriptor) => a.value === b.value && a.get === b.get && a.set === b.set;

/**
 * Watches the process the ledger runs in (this one): prototypes that gain or lose a key or see one overwritten
 * (`__proto__.toString=x`), and exceptions nobody caught. A polluted prototype makes unrelated code throw later
 * (prom-client's label check, Jest's own matchers) and would take the whole test run down before fast-check could
 * report its counterexample; so the damage is undone at once, the uncaught exception is kept, and `expectCalm()`
 * fails the property that caused it.
 */
export function processWatch() {
  const before = new Map(prototypes().map(([name, target]) => [name, snapshot(target)]));
  const uncaught: unknown[] = [];
  const undoPollution = (): string[] => {
    const changed: string[] = [];
    for (const [name, target] of prototypes()) {
      const original = before.get(name)!;
      const now = snapshot(target);
      for (const [key, descriptor] of now) {
        const was = original.get(key);
        if (was && sameDescriptor(was, descriptor)) continue;
        changed.push(`${name}.${String(key)}${was ? ' (overwritten)' : ''}`);
        if (was) Object.defineProperty(target, key, was);
        else delete (target as Record<PropertyKey, unknown>)[key];
      }
      for (const [key, was] of original) {
        if (now.has(key)) continue;
        changed.push(`${name}.${String(key)} (deleted)`);
        Object.defineProperty(target, key, was);
      }
    }
    return changed;
  };
  const polluted: string[] = [];
  const onUncaught = (error: unknown) => {
    polluted.push(...undoPollution());
    uncaught.push(error);
  };
  // Jest hands tests a copy of `process`; listeners must go on the real one.
  const realProcess = runInThisContext('process') as NodeJS.Process;
  return {
    start: () => realProcess.prependListener('uncaughtException', onUncaught),
    stop: () => realProcess.removeListener('uncaughtException', onUncaught),
    expectCalm(request: string): void {
      const gained = [...polluted.splice(0), ...undoPollution()];
      const thrown = uncaught.splice(0);
      if (gained.length > 0) throw new Error(`prototype pollution: ${[...new Set(gained)].join(', ')} after ${request}`);
      if (thrown.length > 0)
        throw new Error(`an exception nobody caught in the ledger's process after ${request}: ${thrown.map((error) => (error as Error)?.stack ?? String(error)).join('\n')}`);
    },
  };
}
