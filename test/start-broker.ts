/**
 * A broker in the test process on the first free candidate port of its mesh home, as an
 * elected broker takes one: a candidate can be busy (another program's, or the ephemeral port
 * of some outgoing connection), and a test must not fail on that.
 */
import { Broker, type BrokerOptions } from '../src/broker/broker';
import { candidatePorts } from '../src/home/home';

export async function startBroker(opts: Omit<BrokerOptions, 'port'>): Promise<Broker> {
  let busy: unknown;
  for (const port of candidatePorts(opts.home)) {
    try {
      return await Broker.start({ ...opts, port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      busy = e;
    }
  }
  throw busy;
}
