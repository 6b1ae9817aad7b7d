/** The clock the drift endpoints read "now" from (tests move it). */
export const DRIFT_CLOCK = Symbol('DRIFT_CLOCK');
