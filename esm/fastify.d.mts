import type { LogferryFastifyPlugin } from '../dist/src/integrations/fastify.js';

export * from '../dist/src/integrations/fastify.js';

declare const logferryFastify: LogferryFastifyPlugin;
export default logferryFastify;
