export { openSpool } from './open-spool.js';
