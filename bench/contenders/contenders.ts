import type { Appender } from '../appends/appender.js';
import type { CatchUpFigure, CatchUpSettings } from '../catch-up/catch-up-figure.js';
import type { CpuMeter } from '../cpu-meter.js';
import { openCopyAppender } from './copy/copy-appender.js';
import { measureCopyCatchUp } from './copy/copy-catch-up.js';
import { openEmmettAppender } from './emmett/emmett-appender.js';
import { measureEmmettCatchUp } from './emmett/emmett-catch-up.js';
import { openLedgerAppender } from './ledger/ledger-appender.js';
import { openUnchainedLedgerAppender } from './ledger-unchained/unchained-appender.js';
import { measureLedgerCatchUp } from './ledger/ledger-catch-up.js';

export const contenderNames = ['ledger', 'ledger-unchained', 'emmett', 'copy'] as const;
export type ContenderName = (typeof contenderNames)[number];

export interface Contender {
  /** Column heading in the results table. */
  title: string;
  openAppender(url: string): Promise<Appender>;
  /** Absent for a variant measured on appends only. */
  measureCatchUp?(url: string, settings: CatchUpSettings, meter: CpuMeter): Promise<CatchUpFigure>;
}

export const contenders: Record<ContenderName, Contender> = {
  ledger: { title: 'ledger (ours)', openAppender: openLedgerAppender, measureCatchUp: measureLedgerCatchUp },
  // The same store without the hash chain, beside it in every run: what the chain costs (issue 15).
  'ledger-unchained': { title: 'ledger without hash chain', openAppender: openUnchainedLedgerAppender },
  emmett: { title: 'Emmett 0.42', openAppender: openEmmettAppender, measureCatchUp: measureEmmettCatchUp },
  copy: { title: 'raw COPY (ceiling)', openAppender: openCopyAppender, measureCatchUp: measureCopyCatchUp },
};

export function isContenderName(name: string): name is ContenderName {
  return (contenderNames as readonly string[]).includes(name);
}
