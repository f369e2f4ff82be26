import type { SinkReporter } from '../../src/wire/sink-reporter.js';

/**
 * Flush markers waiting on a sink: each is answered once every line the sink had taken
 * before it (by sequence number) is settled: delivered, or counted as dropped.
 */
export class FlushWaiters {
  readonly #reporter: SinkReporter;
  readonly #waiting: Array<{ id: number; seq: number }> = [];

  constructor(reporter: SinkReporter) {
    this.#reporter = reporter;
  }

  get length(): number {
    return this.#waiting.length;
  }

  /** Flush `id` covers every line up to `seq`. */
  add(id: number, seq: number): void {
    this.#waiting.push({ id, seq });
  }

  /** Answers every flush whose lines are all settled, given that everything up to `settledThrough` is. */
  settle(settledThrough: number): void {
    while (this.#waiting.length > 0 && (this.#waiting[0]?.seq ?? 0) <= settledThrough) {
      this.#reporter.acknowledge((this.#waiting.shift() as { id: number }).id);
    }
  }
}
