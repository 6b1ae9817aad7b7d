import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  postgres: string;
  postgresServer: string;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews every figure. */
  loadAverage: { atStart: number; atEnd: number };
}

export function describeMachine(postgresVersion: string, postgresServer: string, loadAtStart: number): Machine {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: postgresVersion,
    postgresServer,
    loadAverage: { atStart: loadAtStart, atEnd: currentLoad() },
  };
}

export function currentLoad(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}
