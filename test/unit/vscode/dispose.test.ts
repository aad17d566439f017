import assert from 'node:assert/strict';
import { Disposable, disposeAll, type DisposableLike } from '../../../src/vscode/dispose';

class Owner extends Disposable {
  own<T extends DisposableLike>(d: T): T {
    return this.register(d);
  }
}

const recorder = (order: string[], name: string, fail = false): DisposableLike => ({
  dispose: () => {
    order.push(name);
    if (fail) throw new Error(`${name} failed`);
  },
});

describe('Disposable', () => {
  it('disposes what it owns in reverse order of registration', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own(recorder(order, 'first'));
    owner.own(recorder(order, 'second'));
    owner.own(recorder(order, 'third'));
    owner.dispose();
    assert.deepEqual(order, ['third', 'second', 'first']);
    assert.equal(owner.isDisposed, true);
  });

  it('tolerates a second dispose', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own(recorder(order, 'only'));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['only']);
  });

  it('disposes at once what is registered after disposal', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.dispose();
    owner.own(recorder(order, 'late'));
    assert.deepEqual(order, ['late']);
  });

  it('disposes everything even when some throw, then rethrows the first error', () => {
    const order: string[] = [];
    assert.throws(
      () => disposeAll([recorder(order, 'a'), recorder(order, 'b', true), recorder(order, 'c', true)]),
      /c failed/,
    );
    assert.deepEqual(order, ['c', 'b', 'a']);
  });
});
