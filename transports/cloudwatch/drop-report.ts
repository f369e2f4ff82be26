// The one line that tells the log stream itself that the queue dropped lines. Pure: no I/O.

import type { DropRecord } from './event-queue.js';

/** The pino-shaped line (as JSON) saying how many lines the queue dropped, and when, to stay under `maxQueueBytes`. */
export function dropReportLine(drops: DropRecord, maxQueueBytes: number, now: number): string {
  const from = new Date(drops.firstAt).toISOString();
  const until = new Date(drops.lastAt).toISOString();
  return JSON.stringify({
    level: 40,
    time: now,
    module: 'logferry',
    msg: `logferry dropped ${drops.count} lines between ${from} and ${until}: the CloudWatch queue was over maxQueueBytes (${maxQueueBytes}) while the endpoint was slow or down`,
    droppedLines: drops.count,
    droppedFrom: from,
    droppedUntil: until,
  });
}
