/**
 * A failure as the command line says it: the broker's words (which name no wire method), plus
 * what to run next where the reason's data says more. Branches on the typed reason and data,
 * never on message text.
 */
import { BrokerError } from '../protocol/errors';

export function cliErrorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (BrokerError.is(e, 'notFound') && Array.isArray(e.data?.missing)) return `${message} (peermesh peers lists who is here)`;
  return message;
}
