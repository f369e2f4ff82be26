// The loggers compared, each built the way its own docs say, all shipping to the same
// local CloudWatch Logs server. Runs inside a bench child process.
import { join } from 'node:path';
import pino from 'pino';
import type { FloorShipperOptions } from './floor-shipper.js';

export const CONTENDERS = [
  'pino',
  'pino-no-io',
  'pino-worker',
  'pino-worker-sanitized',
  'logferry',
  'logferry-stdout',
  'winston-cloudwatch',
  'pino-serdnam',
  'floor-cloudwatch',
  // The http scenario's own (bench/http.ts).
  'node-http',
  'pino-http',
  'fastify',
  'fastify-logger',
  'fastify-logferry',
] as const;
export type Contender = (typeof CONTENDERS)[number];

/** What a scenario needs of a logger, whichever library is behind it. */
export interface BenchLogger {
  info(fields: Record<string, unknown>, message: string): void;
  transactional(fields: Record<string, unknown>, message: string): void;
  error(error: Error): void;
  /** Only where the library's docs say to call something before the process may end (winston-cloudwatch's kthxbye). */
  close?(): Promise<void>;
}

export interface BenchEnv {
  group: string;
  stream: string;
  region: string;
  endpoint: string;
}

const credentials = { accessKeyId: 'bench-key-id', secretAccessKey: 'bench-secret' };

export async function createBenchLogger(contender: Contender, env: BenchEnv): Promise<BenchLogger> {
  switch (contender) {
    case 'pino': {
      const root = pino(pino.destination({ dest: '/dev/null', sync: true }));
      return fromPino(root.child({ module: 'bench', service: 'api' }), root.child({ channel: 'transactional' }));
    }
    // What pino's serializer alone costs: a destination that drops every line. The floor under
    // every pino-based contender, logferry included.
    case 'pino-no-io': {
      const root = pino({}, { write: () => undefined });
      return fromPino(root.child({ module: 'bench', service: 'api' }), root.child({ channel: 'transactional' }));
    }
    case 'pino-worker': {
      const root = pino(pino.transport({ target: 'pino/file', options: { destination: '/dev/null' } }));
      return fromPino(root.child({ module: 'bench', service: 'api' }), root.child({ channel: 'transactional' }));
    }
    // pino-worker plus what logferry adds on the app thread (context and sanitizer, as src/loggers/build-root.ts does):
    // separates the cost of redaction and hostile-value safety from everything else.
    case 'pino-worker-sanitized': {
      const { createSanitizer } = await import('../src/sanitize/sanitizer.js');
      const { createKeyMatcher, DEFAULT_REDACT_KEYS } = await import('../src/redact/secret-keys.js');
      const { sanitizingOptions } = await import('../src/loggers/build-root.js');
      const root = pino(
        sanitizingOptions(createSanitizer(createKeyMatcher(DEFAULT_REDACT_KEYS)), 1024 * 1024),
        pino.transport({ target: 'pino/file', options: { destination: '/dev/null' } }),
      );
      return fromPino(root.child({ module: 'bench', service: 'api' }), root.child({ channel: 'transactional' }));
    }
    // Not a logger: the least a pino-based logger must do to ship every line through the AWS SDK
    // (bench/floor-shipper.ts), the floor the CloudWatch targets are read against.
    case 'floor-cloudwatch': {
      const options: FloorShipperOptions = {
        logGroupName: env.group,
        logStreamName: env.stream,
        region: env.region,
        endpoint: env.endpoint,
        credentials,
      };
      const root = pino(pino.transport({ target: join(__dirname, 'floor-shipper.js'), options }));
      return fromPino(root.child({ module: 'bench', service: 'api' }), root.child({ channel: 'transactional' }));
    }
    case 'pino-serdnam': {
      const transport = pino.transport({
        target: '@serdnam/pino-cloudwatch-transport',
        options: {
          logGroupName: env.group,
          logStreamName: env.stream,
          awsRegion: env.region,
          awsAccessKeyId: credentials.accessKeyId,
          awsSecretAccessKey: credentials.secretAccessKey,
          interval: 1000,
        },
      });
      const root = pino(transport);
      return fromPino(root.child({ module: 'bench', service: 'api' }), root.child({ channel: 'transactional' }));
    }
    // logferry-stdout: the same logger with its network sinks off (run.ts leaves their
    // variables unset), to show what shipping costs the app's thread on a 2-core machine.
    case 'logferry':
    case 'logferry-stdout': {
      const { createLogger, transactionalLogger } = await import('../src/index.js');
      const log = createLogger('bench', { service: 'api' });
      return fromPino(log, transactionalLogger);
    }
    case 'node-http':
    case 'pino-http':
    case 'fastify':
    case 'fastify-logger':
    case 'fastify-logferry':
      throw new Error(`${contender} only runs in the http scenario`);
    case 'winston-cloudwatch': {
      const winston = (await import('winston')).default;
      const WinstonCloudWatch = (await import('winston-cloudwatch')).default;
      const transport = new WinstonCloudWatch({
        logGroupName: env.group,
        logStreamName: env.stream,
        awsOptions: { region: env.region, endpoint: env.endpoint, credentials },
        jsonMessage: true,
      });
      const logger = winston.createLogger({ format: winston.format.json(), transports: [transport] });
      const child = logger.child({ module: 'bench', service: 'api' });
      const audit = logger.child({ channel: 'transactional' });
      return {
        info: (fields, message) => child.info(message, fields),
        transactional: (fields, message) => audit.info(message, fields),
        error: (error) => child.error(error.message, { err: error }),
        // Its upload timer keeps the process up until kthxbye() has sent what is queued.
        close: () => new Promise((resolve) => transport.kthxbye(() => resolve())),
      };
    }
  }
}

function fromPino(log: pino.Logger, audit: pino.Logger): BenchLogger {
  return {
    info: (fields, message) => log.info(fields, message),
    transactional: (fields, message) => audit.info(fields, message),
    error: (error) => log.error(error),
  };
}
