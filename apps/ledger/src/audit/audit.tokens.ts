export const AUDIT_LOG = Symbol('AUDIT_LOG');

/** How exported events are shown: personal data opened (or erased), as every other read shows it. */
export const AUDIT_EXPORT_VIEW = Symbol('AUDIT_EXPORT_VIEW');
