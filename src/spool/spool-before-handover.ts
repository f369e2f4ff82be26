import type { TransportStream } from '../handover/transport-stream.js';
import { shipsToCloudWatch } from '../wire/cloudwatch-lines.js';
import type { SpoolWriter } from './spool-writer.js';

/**
 * The worker's stream with the spool in front: pino writes one line per call, and a line the
 * CloudWatch sink will ship is on disk before the call returns (and before the line is handed on).
 */
export function spoolBeforeHandOver(
  stream: TransportStream,
  writer: SpoolWriter,
  minLevel: number,
  transactionalOnly: boolean,
): TransportStream {
  const spooled: TransportStream = Object.create(stream);
  spooled.write = (data: string): boolean => {
    // pino ends each line with a newline; the worker sees the line without it.
    const text = data.endsWith('\n') ? data.slice(0, -1) : data;
    // The worker splits on newlines: a write of several lines is spooled as several records.
    const lines = text.includes('\n') ? text.split('\n') : [text];
    for (const line of lines) if (shipsToCloudWatch(line, minLevel, transactionalOnly)) writer.append(line);
    return stream.write(data);
  };
  return spooled;
}
