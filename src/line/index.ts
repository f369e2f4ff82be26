export { fieldSerializer, type LineEnrichment, lineEnrichment, lineOptions } from './line-enrichment.js';
export { GUARDED_SERIALIZERS, markPlainTables, writePlainLine } from './plain-line-writer.js';
