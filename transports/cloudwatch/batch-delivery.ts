import type { SinkReporter } from '../../src/wire/sink-reporter.js';
import type { Sleeper } from '../shared/backoff.js';
import type { LogEvents, LogsApi, PreparedPut } from './client.js';
import { type BatchPieces, countRejected, type RejectedRanges } from './refusals.js';
import {
  classifyFailure,
  describeFailure,
  EXIT_BACKOFF_MAX_MS,
  exitAttemptMs,
  mayHaveBeenStored,
  refusalDelayMs,
  retryDelayMs,
} from './retry.js';

// Delivers one batch: each attempt, what its failure means (retry.ts), the counters and the
// one-time stderr lines. The sender decides which batch goes when; this decides how.

/** Creating resources that then still do not exist this many times in a row is a hard failure, not a loop. */
const MAX_CREATIONS_IN_A_ROW = 3;

export interface DeliveryContext {
  api: LogsApi;
  reporter: SinkReporter;
  /** `group/stream`, for stderr lines. */
  where: string;
  /** Aborted at the exit deadline: the request in flight ends, and none starts. */
  cutOff: AbortSignal;
  /** Backoff sleeps, cut short at close. */
  sleeper: Sleeper;
  /** True once no request may start (the exit deadline passed). */
  pastDeadline(): boolean;
  /** The exit deadline (epoch ms) once it is known: attempts and backoffs are then kept short. */
  closingDeadline(): number | undefined;
  /** A batch's first request is on the wire: the time to prepare the next batch. */
  onFirstRequestSent(): void;
  /** A request failed: a next batch prepared meanwhile would only age. */
  onRequestFailed(): void;
  /** Pieces were delivered or given up: pending changed. */
  onProgress(): void;
  /**
   * How many copies of the batch may be stored by attempts this process has not counted yet: said
   * before each attempt (the one about to go counts) and after an answer that stored nothing.
   */
  onCopiesAtRisk(copies: number): void;
}

export interface DeliveryOutcome {
  /** Events still unsettled because the exit deadline came first. */
  cutOff: number;
  /** Of those, the events of the piece whose attempts may have stored it, and how many such attempts. */
  cutOffPiece: number;
  unanswered: number;
  /** A failure no retry fixes: the rest of the batch was dropped; wait before the next. */
  fatal: boolean;
}

export class BatchDelivery {
  readonly #context: DeliveryContext;
  /** True while a request is on the wire. */
  awaitingAnswer = false;
  #creationsInARow = 0;
  /** Refused requests (413, invalid batch) since the last accepted one: paces an endpoint that refuses everything. */
  #refusedInARow = 0;

  constructor(context: DeliveryContext) {
    this.#context = context;
  }

  /** Sends `pieces` until each is accepted or given up (counted). Never throws. */
  async deliver(pieces: BatchPieces, prepared?: PreparedPut): Promise<DeliveryOutcome> {
    const { api, reporter, cutOff } = this.#context;
    const batchSize = pieces.remaining;
    let put = prepared;
    let attempt = 0;
    /** Attempts at the current piece that may have stored it though they failed. */
    let unanswered = 0;
    const refused = { lines: 0, error: undefined as unknown };
    let fatal = false;
    for (let events = pieces.current; events !== undefined && !this.#context.pastDeadline(); events = pieces.current) {
      let creating = true;
      try {
        await api.ensureStream(cutOff);
        creating = false;
        this.#context.onCopiesAtRisk(unanswered + 1);
        const closingAt = this.#context.closingDeadline();
        const answer = (put ?? api.preparePutLogEvents(events, cutOff)).send(
          closingAt === undefined ? undefined : exitAttemptMs(closingAt - Date.now()),
        );
        put = undefined;
        this.awaitingAnswer = true;
        // Next turn, so this request's bytes are on the socket before the CPU goes to the next one;
        // not while retrying, when a prepared request would likely be discarded again.
        if (attempt === 0 && events.length === batchSize) setImmediate(() => this.#context.onFirstRequestSent());
        const result = await answer;
        this.awaitingAnswer = false;
        this.#accepted(events, result.rejected, unanswered);
        pieces.accepted();
        [attempt, unanswered] = [0, 0];
      } catch (error) {
        const wasSent = !creating && this.awaitingAnswer;
        this.awaitingAnswer = false;
        put?.discard();
        put = undefined;
        this.#context.onRequestFailed();
        // A request cut off at the exit deadline was on the wire: it may have been stored.
        if (cutOff.aborted) {
          if (wasSent) unanswered++;
          break;
        }
        reporter.add('failedRequests');
        reporter.error(describeFailure(error));
        const kind = classifyFailure(error, creating);
        // A credential failure stops the request before it leaves; only a retryable one may have stored it.
        if (wasSent && kind === 'retry' && mayHaveBeenStored(error)) unanswered++;
        else this.#context.onCopiesAtRisk(unanswered);
        if (kind === 'missing-resource' && ++this.#creationsInARow <= MAX_CREATIONS_IN_A_ROW) {
          api.streamLost();
        } else if (kind === 'retry' || kind === 'credentials') {
          if (kind === 'credentials')
            this.#say(
              'credentials',
              error,
              'retrying every few seconds, so delivery resumes once the credentials or policy are fixed (lines are held up to maxQueueBytes)',
            );
          reporter.add('retries');
          const delay = retryDelayMs(kind, attempt++);
          await this.#context.sleeper.sleep(this.#context.closingDeadline() === undefined ? delay : Math.min(delay, EXIT_BACKOFF_MAX_MS));
        } else if (kind === 'too-large' || kind === 'invalid-batch') {
          if (kind === 'too-large') this.#say('too-large', error, 'batches refused as too large are split in halves and sent again');
          // Earlier attempts at this piece that got no answer may have stored it whole.
          this.#countPossibleDuplicates(events.length * unanswered);
          [attempt, unanswered] = [0, 0];
          const lost = pieces.refused();
          if (lost > 0) {
            reporter.add('rejected', lost);
            refused.lines += lost;
            refused.error = error;
          }
          await this.#context.sleeper.sleep(refusalDelayMs(++this.#refusedInARow));
        } else {
          this.#giveUp(pieces.abandon(), error);
          fatal = true;
        }
      }
      this.#context.onProgress();
    }
    put?.discard();
    if (refused.lines > 0) {
      this.#say(
        'refused',
        refused.error,
        `${refused.lines} of a batch of ${batchSize} lines refused and given up after splitting (counted in logStats().cloudwatch.rejected)`,
      );
    }
    return { cutOff: pieces.remaining, cutOffPiece: pieces.current?.length ?? 0, unanswered, fatal };
  }

  #accepted(events: LogEvents, rejected: RejectedRanges | undefined, unanswered: number): void {
    const { reporter } = this.#context;
    [this.#creationsInARow, this.#refusedInARow] = [0, 0];
    const refused = rejected ? countRejected(rejected, events.length) : 0;
    if (refused > 0) {
      reporter.add('rejected', refused);
      reporter.reportOnce(
        'rejected',
        `logferry: CloudWatch refused ${refused} events for their timestamps (${JSON.stringify(rejected)}); further refusals are counted in logStats()`,
      );
    }
    reporter.add('delivered', events.length - refused);
    reporter.add('batches');
    this.#countPossibleDuplicates(events.length * unanswered);
  }

  #countPossibleDuplicates(lines: number): void {
    if (lines === 0) return;
    this.#context.reporter.add('possibleDuplicates', lines);
    this.#context.reporter.reportOnce(
      'possible-duplicates',
      `logferry: CloudWatch: a PutLogEvents request got no answer and was sent again, so the log stream may hold ${lines} lines twice; this and later ones are counted in logStats().cloudwatch.possibleDuplicates`,
    );
  }

  #giveUp(lines: number, error: unknown): void {
    this.#context.reporter.add('dropped', lines);
    this.#creationsInARow = 0;
    const description = describeFailure(error);
    this.#context.reporter.reportOnce(
      description,
      `logferry: CloudWatch ${this.#context.where}: ${description}; ${lines} lines lost (counted in logStats())`,
    );
  }

  /** One stderr line per kind of trouble and error name, the first time it happens. */
  #say(kind: string, error: unknown, what: string): void {
    const description = describeFailure(error);
    this.#context.reporter.reportOnce(
      `${kind} ${description.split(':')[0]}`,
      `logferry: CloudWatch ${this.#context.where}: ${description}; ${what}`,
    );
  }
}
