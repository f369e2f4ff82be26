// Making the log stream (and its group) exist. The calls themselves are client.ts's; this file
// holds the order and the one rule that makes creation idempotent.

/** The CloudWatch calls creation needs, each bounded by the caller. */
export interface CreationCalls {
  createLogGroup(): Promise<void>;
  createLogStream(): Promise<void>;
  putRetentionPolicy(days: number): Promise<void>;
}

export interface CreationOptions {
  logGroupName: string;
  /** Create the group when it is missing (CLOUDWATCH_CREATE_GROUP). */
  createGroup: boolean;
  /** Applied once, to a group this sink created: an existing group keeps what its owners set. */
  retentionDays?: number;
}

/** Runs a create call; one that finds the thing already there succeeded too. */
export async function idempotentCreate(create: () => Promise<void>): Promise<'created' | 'existed'> {
  try {
    await create();
    return 'created';
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'ResourceAlreadyExistsException') return 'existed';
    throw error;
  }
}

/** Creates the stream, and first the group when the stream's creation says it is missing. */
export async function createStream(calls: CreationCalls, options: CreationOptions): Promise<void> {
  try {
    await idempotentCreate(() => calls.createLogStream());
    return;
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== 'ResourceNotFoundException') throw error;
  }
  if (!options.createGroup) {
    throw Object.assign(new Error(`log group ${options.logGroupName} does not exist and CLOUDWATCH_CREATE_GROUP is false`), {
      name: 'LogGroupMissing',
    });
  }
  const group = await idempotentCreate(() => calls.createLogGroup());
  if (group === 'created' && options.retentionDays !== undefined) await calls.putRetentionPolicy(options.retentionDays);
  await idempotentCreate(() => calls.createLogStream());
}
