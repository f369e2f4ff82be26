// ES module entry of logferry/fastify over the one CommonJS build: the plugin is the default export.
import fastify from '../dist/src/integrations/fastify.js';

export const { logferryFastify } = fastify;
export default fastify.default;
