import { useQuery } from '@tanstack/react-query';
import { get } from './api';

/**
 * Which commands this ledger offers, from its own OpenAPI document: the UI shows an action only when the API has it,
 * so a newer UI on an older ledger shows no dead buttons.
 */
export function useApiPaths() {
  return useQuery({
    queryKey: ['openapi-paths'],
    queryFn: async () => new Set(Object.keys((await get<{ paths?: Record<string, unknown> }>('/docs/openapi.json')).paths ?? {})),
    staleTime: Infinity,
  });
}

export const hasPath = (paths: Set<string> | undefined, path: string): boolean => paths?.has(path) ?? false;
