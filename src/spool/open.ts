import type { Config } from '../config.js';
import type { TransportStream } from '../root.js';
import { LEVELS, type SharedState } from '../wire.js';
import { spoolBeforeHandOver } from './tee.js';
import { type SpoolWire, SpoolWriter } from './writer.js';

/** The spool as the root logger uses it. */
export interface OpenSpool {
  wire: SpoolWire;
  /** The worker's stream with the spool in front of it. */
  inFrontOf(stream: TransportStream): TransportStream;
}

/** Opens this process's spool when the Config asks for one (CloudWatch on, a spool dir set); throws LogferryConfigError when the dir is unusable. */
export function openSpool(config: Config, shared: SharedState): OpenSpool | undefined {
  if (!config.spool || !config.cloudwatch) return undefined;
  const writer = new SpoolWriter(config.spool, shared);
  const minLevel = LEVELS[config.cloudwatch.level];
  const transactionalOnly = config.cloudwatch.scope === 'transactional';
  return {
    wire: writer.wire,
    inFrontOf: (stream) => spoolBeforeHandOver(stream, writer, minLevel, transactionalOnly),
  };
}
