import { readBenchSettings, sectionNames } from '../../bench/bench-settings.js';

describe('npm run bench --sections / BENCH_SECTIONS', () => {
  test('by default every section runs, in the order they print', () => {
    expect(readBenchSettings({}, []).sections).toEqual(['appends', 'drift', 'sync-lag', 'command-load', 'webhook-intake', 'ui', 'scale']);
    expect(sectionNames).toEqual(['appends', 'drift', 'sync-lag', 'command-load', 'webhook-intake', 'ui', 'scale']);
  });

  test('a chosen few run in their usual order whatever order they are named in, each once', () => {
    expect(readBenchSettings({}, ['--sections=ui, sync-lag,ui']).sections).toEqual(['sync-lag', 'ui']);
  });

  test('the flag wins over the environment variable, which wins over the default', () => {
    expect(readBenchSettings({ BENCH_SECTIONS: 'drift' }, []).sections).toEqual(['drift']);
    expect(readBenchSettings({ BENCH_SECTIONS: 'drift' }, ['--sections=ui']).sections).toEqual(['ui']);
  });

  /** What is sent, and the part of it the refusal names. */
  const refused: [string, string, string][] = [
    ['nothing', '', ''],
    ['another case', 'UI', 'UI'],
    ['a trailing comma', 'ui,', ''],
    ['a name that is not one', 'webhooks', 'webhooks'],
    ['__proto__', '__proto__', '__proto__'],
    ['an Object.prototype key', 'toString', 'toString'],
    ['a NUL byte', 'ui\u0000', 'ui\u0000'],
    ['a lone surrogate', '\ud800', '\ud800'],
    ['100,000 characters', 'x'.repeat(100_000), 'x'.repeat(40)],
  ];
  test.each(refused)('%s is refused, quoted and cut short, naming the sections there are', (_, value, named) => {
    const refusal = (() => {
      try {
        readBenchSettings({}, [`--sections=${value}`]);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`--sections=${value.slice(0, 40)} was accepted`);
    })();
    expect(refusal).toMatch(/^Unknown section\(s\) "[^]*appends, drift, sync-lag, command-load, webhook-intake, ui, scale/);
    expect(refusal).toContain(`Unknown section(s) ${JSON.stringify(named)}\n`);
    expect(refusal.length).toBeLessThan(2_000);
  });
});
