export {
  createKeyMatcher,
  DEFAULT_REDACT_KEYS,
  isSecretPair,
  type KeyMatcher,
  normalizeKey,
  plainKeySlot,
  REDACTED,
  redactKeyPatterns,
} from './secret-keys.js';
export {
  censorUrlSecrets,
  describeSettingValue,
  isSecretQueryKey,
  isSecretQueryKeyMemo,
  isSecretSetting,
  mayHoldUrlSecret,
  safeNoticeText,
  shortestUrlSecret,
} from './text-secrets.js';
