/** What a budget reads of a Volley server connection. */
interface BufferingConnection {
  readonly bufferedAmount: number;
  readonly maxBufferedAmount: number;
}

/**
 * The bytes a large answer (a history read) may still take on one connection: what the connection
 * may buffer (the server's `maxBufferedAmount`), less what waits to be sent and the answers being
 * built for it. A read sizes its answer from this before building it, and what it reserves stays
 * reserved until the answer has been handed to Volley, so that many reads in one write cost at
 * most one buffer's worth between them, not one each.
 */
export class AnswerBudgets {
  /** Bytes reserved by answers being built, per connection. */
  private readonly building = new WeakMap<BufferingConnection, number>();

  /** The budget of one command from `connection`; release it once its answer is written. */
  for(connection: BufferingConnection): AnswerBudget {
    return new AnswerBudget(this, connection);
  }

  /** @internal */
  available(connection: BufferingConnection): number {
    return Math.max(0, connection.maxBufferedAmount - connection.bufferedAmount - (this.building.get(connection) ?? 0));
  }

  /** @internal */
  change(connection: BufferingConnection, bytes: number): void {
    const total = (this.building.get(connection) ?? 0) + bytes;
    if (total > 0) this.building.set(connection, total);
    else this.building.delete(connection);
  }
}

/** One command's share of its connection's answer budgets (what it may still send back). */
export class AnswerBudget {
  private reserved = 0;

  constructor(
    private readonly budgets: AnswerBudgets,
    private readonly connection: BufferingConnection,
  ) {}

  /** Bytes an answer may take now. */
  available(): number {
    return this.budgets.available(this.connection);
  }

  /** Holds `bytes` for the answer being built. */
  reserve(bytes: number): void {
    this.reserved += bytes;
    this.budgets.change(this.connection, bytes);
  }

  /** The answer was written (or failed): gives back what was reserved. */
  release(): void {
    if (this.reserved === 0) return;
    this.budgets.change(this.connection, -this.reserved);
    this.reserved = 0;
  }
}
