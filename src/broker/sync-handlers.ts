/** The `sync/…` requests. */
import { BrokerError } from '../protocol/errors';
import type { DomainHandlers } from './handlers';

// PLACEHOLDER until the sync service lands: answers every request with `unavailable`.
const notBuilt = (): never => {
  throw new BrokerError('unavailable', 'not built yet');
};

export const syncHandlers: DomainHandlers<'sync'> = {
  'sync/acquire': notBuilt,
  'sync/release': notBuilt,
  'sync/status': notBuilt,
  'sync/mine': notBuilt,
};
