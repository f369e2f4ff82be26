export { appThreadStdout } from './app-thread-stdout.js';
