export const AUDIT_LOG = Symbol('AUDIT_LOG');
