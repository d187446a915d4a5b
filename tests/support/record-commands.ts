/** Counting the DynamoDB calls a piece of the app makes, by command name. */
import type { Harness } from './app-harness.ts';

/** The names of the DynamoDB commands sent through `h`'s table client from now on. */
export function recordCommands(h: Harness): string[] {
  const sent: string[] = [];
  h.table.doc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '(unnamed)');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}
