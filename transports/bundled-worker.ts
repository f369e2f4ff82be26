import routerTransport from './router/index.js';

// The entry logferryPlugin() (src/integrations/esbuild.ts) builds into one self-contained file
// beside an app's bundle. That one file plays both parts of a pino transport: the Worker's main
// script (thread-stream's worker loop) and the target the loop then imports, which Node hands
// back from its module cache rather than running the file again.

export default routerTransport;

// Only as the Worker's main script: a copy imported as a target must not start a second loop.
if (require.main === module) require('thread-stream/lib/worker.js');
