/** The `debate/…` requests. */
import { BrokerError } from '../protocol/errors';
import type { DomainHandlers } from './handlers';

// PLACEHOLDER until the debate service lands: answers every request with `unavailable`.
const notBuilt = (): never => {
  throw new BrokerError('unavailable', 'not built yet');
};

export const debateHandlers: DomainHandlers<'debate'> = {
  'debate/start': notBuilt,
  'debate/respond': notBuilt,
  'debate/get': notBuilt,
  'debate/list': notBuilt,
  'debate/decide': notBuilt,
  'debate/mine': notBuilt,
};
