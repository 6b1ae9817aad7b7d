import { useI18n } from '../i18n';

/** Two states of one appointment next to each other, differing fields marked. */
export function SideBySide({ ledger, calcom }: { ledger: unknown; calcom: unknown }) {
  const { t } = useI18n();
  const left = flatten(ledger);
  const right = flatten(calcom);
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return (
    <table className="side-by-side">
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col">{t('ledgerSide')}</th>
          <th scope="col">{t('calcomSide')}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key} className={left[key] !== right[key] ? 'differs' : undefined}>
            <th scope="row">{key}</th>
            <td className="mono">{left[key] ?? '—'}</td>
            <td className="mono">{right[key] ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function flatten(value: unknown, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  if (value === null || value === undefined) return into;
  if (typeof value !== 'object' || Array.isArray(value)) {
    into[prefix || 'value'] = Array.isArray(value) ? value.map(text).join(', ') : text(value);
    return into;
  }
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  return into;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
