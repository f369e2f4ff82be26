export { createSanitizer, DEFAULT_WALK_LIMITS, type Sanitizer } from './sanitizer.js';
