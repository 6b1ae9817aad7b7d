import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

/**
 * GET /live (server-sent events, the session cookie): an appointment or the sync changed, so the screens showing it
 * fetch again. EventSource reconnects by itself; `connected` says whether updates are arriving.
 */
export function useLiveUpdates(enabled: boolean): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/live');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('appointment', (event) => {
      const appointmentId = readAppointmentId((event as MessageEvent<string>).data);
      void client.invalidateQueries({ queryKey: ['appointments'] });
      if (appointmentId) void client.invalidateQueries({ queryKey: ['appointment', appointmentId] });
      void client.invalidateQueries({ queryKey: ['sync'] });
    });
    source.addEventListener('sync', () => {
      void client.invalidateQueries({ queryKey: ['sync'] });
      void client.invalidateQueries({ queryKey: ['conflicts'] });
      void client.invalidateQueries({ queryKey: ['drift'] });
    });
    return () => {
      source.close();
      setConnected(false);
    };
  }, [enabled, client]);
  return connected;
}

function readAppointmentId(data: string): string | null {
  try {
    const parsed = JSON.parse(data) as { appointmentId?: unknown };
    return typeof parsed.appointmentId === 'string' ? parsed.appointmentId : null;
  } catch {
    return null;
  }
}
