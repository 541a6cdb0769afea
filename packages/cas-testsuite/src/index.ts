export { runContentStoreSuite, contentStoreCases } from './content-store-suite.ts';
export type { StoreFactory, StoreHarness, SuiteCase, SuiteOptions } from './suite-support.ts';
export { sameBytes } from './suite-support.ts';
export { SeededBytes, seededBytes, generatedBytes } from './seeded-bytes.ts';
export { createMemoryStore } from './memory-store.ts';
export { withFaults, type Fault, type FaultOperation, type FaultyStore } from './with-faults.ts';
export { createTestPki, type TestPki } from './test-pki.ts';
