// An event of an outgoing batch, kept as the UTF-8 bytes the queue held: cutting a batch copies
// its messages out of the ring in bytes, and the request body is written from those bytes
// (put-body.ts), so a shipped line is never turned back into a string. `message` decodes on
// demand, for the rare paths that need the text (splitting a refused batch, tests). Pure.

/** One PutLogEvents event whose message is `bytes.subarray(start, end)`. */
export class BatchEvent {
  readonly timestamp: number;
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;

  constructor(timestamp: number, bytes: Buffer, start: number, end: number) {
    this.timestamp = timestamp;
    this.bytes = bytes;
    this.start = start;
    this.end = end;
  }

  get message(): string {
    return this.bytes.toString('utf8', this.start, this.end);
  }

  /** What JSON.stringify writes: the event as PutLogEvents takes it. */
  toJSON(): { timestamp: number; message: string } {
    return { timestamp: this.timestamp, message: this.message };
  }
}
