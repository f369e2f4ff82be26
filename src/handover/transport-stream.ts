/** The part of thread-stream's ThreadStream that logferry drives; every destination pino writes to has this shape. */
export interface TransportStream {
  write(data: string): boolean;
  flushSync(): void;
  flush(callback: (error?: Error) => void): void;
  end(): void;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'close', listener: () => void): this;
  readonly closed?: boolean;
}

/** thread-stream as boundAppBacklog drives it: its write() takes a Buffer as well as a string. */
export type WorkerStream = Omit<TransportStream, 'write' | 'on' | 'once'> & {
  write(data: string | Buffer): boolean;
  /** 'drain': after a write() that said false, everything written has been copied into the shared buffer. */
  on(event: 'error' | 'close' | 'drain', listener: (error: Error) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
};
