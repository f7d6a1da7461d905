import type { IncomingMessage, ServerConnection } from '@volley/server';
import { DeadlineQueue } from '@volley/session';
import { type ChatCommandName, commandArguments, fromPayload } from './chat-api.js';
import { AnswerBudgets } from './answer-budget.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatEmitter } from './chat-events.js';
import { type ChatService, throwIfExpired } from './chat-service.js';
import { CommandValidator } from './command-validation.js';
import { commands } from './commands.js';
import type { CommandContext } from './hooks.js';

/** A running command's place in the timeout queue. */
interface CommandDeadline {
  expire(): void;
}

/**
 * How a command runs, from a client's request or the server API: its arguments checked against
 * the command's schema, its before/after hooks, the command timeout, and every failure turned into
 * a {@link ChatError} (anything else is reported on `error` and becomes `internalError`, its text
 * kept on the server). A client's answer is sized against what its connection may still buffer.
 */
export class CommandPipeline {
  readonly validator = new CommandValidator();
  private readonly answerBudgets = new AnswerBudgets();
  /** Every command's `commandTimeout`, on one timer (all share the same delay). */
  private readonly deadlines: DeadlineQueue<CommandDeadline> | undefined;

  constructor(
    private readonly service: ChatService,
    private readonly events: ChatEmitter,
  ) {
    const timeout = service.options.commandTimeout;
    this.deadlines = timeout > 0 ? new DeadlineQueue<CommandDeadline>(timeout, (deadline) => deadline.expire()) : undefined;
  }

  /** A client's command request: run as its user, answered with the result or the ChatError. */
  async handle(connection: ServerConnection, userName: string | undefined, command: ChatCommandName, message: IncomingMessage): Promise<void> {
    const answerBudget = this.answerBudgets.for(connection);
    try {
      if (userName === undefined) throw new ChatError(ChatErrorCode.NO_LOGIN, []);
      const args = fromPayload(commandArguments[command], this.validator.validate(command, message.payload));
      if (this.events.listenerCount('message') > 0) this.events.emit('message', userName, { command, args, connectionId: connection.id });
      const result = await this.run({ userName, connectionId: connection.id, bypassPermissions: false, answerBudget }, command, args);
      // Encoded and handed to the socket here: what the answer reserved is free again after.
      if (message.isRequest) message.resolve(result);
    } catch (error) {
      if (message.isRequest) message.reject(error);
    } finally {
      answerBudget.release();
    }
  }

  /** Runs a command with its hooks and the command timeout; every failure comes out as a ChatError. */
  run(context: CommandContext, command: ChatCommandName, args: unknown[]): Promise<unknown> {
    const deadlines = this.deadlines;
    if (deadlines === undefined) return this.runHooked(context, command, args);
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      const deadline: CommandDeadline = {
        expire: () => {
          // Late work sees the signal and stops before it changes state (see throwIfExpired).
          controller.abort();
          reject(new ChatError(ChatErrorCode.TIMEOUT, [command]));
        },
      };
      deadlines.add(deadline);
      this.runHooked({ ...context, signal: controller.signal }, command, args).then(
        (result) => {
          deadlines.delete(deadline);
          resolve(result);
        },
        (error: unknown) => {
          deadlines.delete(deadline);
          reject(error);
        },
      );
    });
  }

  /** Runs `hook`; what it throws comes out as a ChatError. */
  async guard(hook: () => unknown): Promise<unknown> {
    try {
      return await hook();
    } catch (error) {
      throw this.toChatError(error);
    }
  }

  private async runHooked(context: CommandContext, command: ChatCommandName, args: unknown[]): Promise<unknown> {
    const hooks = this.service.hooks;
    type Hook = (...hookArgs: unknown[]) => unknown;
    let current = args;
    const before = hooks.before?.[command] as Hook | undefined;
    if (before !== undefined) {
      const answer = (await this.guard(() => before(context, current))) as { args?: unknown[]; result?: unknown } | undefined;
      if (answer !== undefined && answer !== null && 'result' in answer) return answer.result;
      if (answer?.args !== undefined) current = answer.args;
      throwIfExpired(context, command);
    }
    const outcome: { result?: unknown; error?: ChatError } = {};
    try {
      const implementation = commands[command] as unknown as (...commandArgs: unknown[]) => Promise<unknown>;
      outcome.result = await implementation(this.service, context, ...current);
    } catch (error) {
      outcome.error = this.toChatError(error);
    }
    const after = hooks.after?.[command] as Hook | undefined;
    if (after !== undefined) {
      const answer = (await this.guard(() => after(context, current, outcome))) as { result?: unknown } | undefined;
      if (answer !== undefined && answer !== null && 'result' in answer) return answer.result;
    }
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.result;
  }

  /** A ChatError stays; anything else is reported and becomes `internalError` (its text stays on the server). */
  private toChatError(error: unknown): ChatError {
    if (error instanceof ChatError) return error;
    this.events.emit('error', error);
    return new ChatError(ChatErrorCode.INTERNAL_ERROR, [], { cause: error });
  }
}
