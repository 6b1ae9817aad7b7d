import type { Appender } from '../appends/appender.js';
import type { CatchUpFigure, CatchUpSettings } from '../catch-up/catch-up-figure.js';
import type { CpuMeter } from '../cpu-meter.js';
import { openCopyAppender } from './copy/copy-appender.js';
import { measureCopyCatchUp } from './copy/copy-catch-up.js';
import { openEmmettAppender } from './emmett/emmett-appender.js';
import { measureEmmettCatchUp } from './emmett/emmett-catch-up.js';
import { openLedgerAppender } from './ledger/ledger-appender.js';
import { measureLedgerCatchUp } from './ledger/ledger-catch-up.js';

export const contenderNames = ['ledger', 'emmett', 'copy'] as const;
export type ContenderName = (typeof contenderNames)[number];

export interface Contender {
  /** Column heading in the results table. */
  title: string;
  openAppender(url: string): Promise<Appender>;
  measureCatchUp(url: string, settings: CatchUpSettings, meter: CpuMeter): Promise<CatchUpFigure>;
}

export const contenders: Record<ContenderName, Contender> = {
  ledger: { title: 'ledger (ours)', openAppender: openLedgerAppender, measureCatchUp: measureLedgerCatchUp },
  emmett: { title: 'Emmett 0.42', openAppender: openEmmettAppender, measureCatchUp: measureEmmettCatchUp },
  copy: { title: 'raw COPY (ceiling)', openAppender: openCopyAppender, measureCatchUp: measureCopyCatchUp },
};

export function isContenderName(name: string): name is ContenderName {
  return (contenderNames as readonly string[]).includes(name);
}
