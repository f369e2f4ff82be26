import type { RouterOptions } from './router/index.js';

// The entry logferryPlugin() (src/integrations/esbuild.ts) builds into one self-contained file
// beside an app's bundle. That one file plays both parts of a pino transport: the Worker's main
// script (thread-stream's worker loop) and the target the loop then imports, which Node hands
// back from its module cache rather than running the file again.

/** The transport target: logferry's router, loaded only when thread-stream asks for it. */
export default function bundledRouter(options: RouterOptions) {
  // Loaded here, not at the top: code that fails to load (an AWS SDK that needs a newer Node)
  // then fails inside thread-stream's loop, which reports it to the app's thread as a stream
  // error. Thrown at the top, it would kill the Worker before thread-stream listens.
  const router = require('./router/index.js') as typeof import('./router/index.js');
  return router.default(options);
}

// Only as the Worker's main script: a copy imported as a target must not start a second loop.
if (require.main === module) require('thread-stream/lib/worker.js');
