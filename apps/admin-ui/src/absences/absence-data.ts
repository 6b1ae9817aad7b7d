import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import type { Absence } from './absence-types';

export const absencesKey = (staffId: string) => ['catalog', 'absences', staffId] as const;

/** GET /staff/{id}/absences, earliest first (the API answers them in the order they were recorded). */
export function useAbsences(staffId: string) {
  return useQuery({
    queryKey: absencesKey(staffId),
    queryFn: () =>
      get<{ items: Absence[] }>(`/staff/${encodeURIComponent(staffId)}/absences`).then((body) => [...body.items].sort((a, b) => Date.parse(a.from) - Date.parse(b.from))),
  });
}
