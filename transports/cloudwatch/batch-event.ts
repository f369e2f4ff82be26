// An event of an outgoing batch, kept as the JSON text PutLogEvents takes: cutting a batch writes
// each queued message from the ring's UTF-8 bytes straight into the request's events array
// (put-body.ts), so a shipped line is never turned back into a string. `message` reads it back
// on demand, for the rare paths that need the text (splitting a refused batch, tests). Pure.

/** One PutLogEvents event whose JSON, `{"timestamp":…,"message":"…"}`, is `json.subarray(start, end)`. */
export class BatchEvent {
  readonly timestamp: number;
  readonly json: Buffer;
  readonly start: number;
  readonly end: number;

  constructor(timestamp: number, json: Buffer, start: number, end: number) {
    this.timestamp = timestamp;
    this.json = json;
    this.start = start;
    this.end = end;
  }

  get message(): string {
    return (JSON.parse(this.json.toString('utf8', this.start, this.end)) as { message: string }).message;
  }

  /** What JSON.stringify writes: the event as PutLogEvents takes it. */
  toJSON(): { timestamp: number; message: string } {
    return { timestamp: this.timestamp, message: this.message };
  }
}
