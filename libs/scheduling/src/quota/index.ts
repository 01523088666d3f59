export * from './quota-policy';
export { decayUsage, holdings } from './decay-usage';
export type { QuotaVerdict, QuotaBlock } from './quota-ledger';
export { quotaUsage, amountOfResource, type QuotaUsage } from './quota-usage';
export { UsageLedger } from './usage-ledger';
