// The one line that tells the log stream itself that lines were dropped. Pure: no I/O.

import type { DropRecord } from './event-queue.js';

/** Who logged the dropped lines: the process (pid, host) and the stream they were bound for. */
export interface DropOrigin {
  pid: number;
  hostname: string;
  logStream: string;
}

/**
 * The pino-shaped line (as JSON) saying how many lines were dropped to stay under `maxQueueBytes`:
 * when they were logged and by which process, and when they were dropped.
 */
export function dropReportLine(drops: DropRecord, maxQueueBytes: number, now: number, origin: DropOrigin): string {
  const iso = (time: number) => (Number.isFinite(time) ? new Date(time).toISOString() : 'unknown');
  const from = iso(drops.firstAt);
  const until = iso(drops.lastAt);
  const loggedFrom = iso(drops.loggedFrom);
  const loggedUntil = iso(drops.loggedUntil);
  return JSON.stringify({
    level: 40,
    time: now,
    module: 'logferry',
    msg: `logferry dropped ${drops.count} lines logged between ${loggedFrom} and ${loggedUntil} by pid ${origin.pid} on ${origin.hostname} (stream ${origin.logStream}), dropped between ${from} and ${until}: the CloudWatch queue was over maxQueueBytes (${maxQueueBytes}) while the endpoint was slow or down`,
    droppedLines: drops.count,
    droppedFrom: from,
    droppedUntil: until,
    droppedLoggedFrom: loggedFrom,
    droppedLoggedUntil: loggedUntil,
    droppedByPid: origin.pid,
    droppedByHost: origin.hostname,
    droppedLogStream: origin.logStream,
  });
}
