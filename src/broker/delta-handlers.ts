/** The `delta/…` requests. */
import { BrokerError } from '../protocol/errors';
import type { DomainHandlers } from './handlers';

// PLACEHOLDER until the delta service lands: answers every request with `unavailable`.
const notBuilt = (): never => {
  throw new BrokerError('unavailable', 'not built yet');
};

export const deltaHandlers: DomainHandlers<'delta'> = {
  'delta/push': notBuilt,
  'delta/list': notBuilt,
  'delta/get': notBuilt,
  'delta/ack': notBuilt,
  'delta/mine': notBuilt,
};
