import { describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src-main/api/contract';
import { EventBus } from '../../src-main/api/event-bus';

const report = {
  requested: 'auto' as const,
  chosen: 'wasm' as const,
  device: 'CPU',
  tfjsVersion: '4.22.0',
  matmulGflops: 10,
  attempts: [{ backend: 'wasm' as const, ok: true, reason: null, ms: 3 }],
};

describe('EventBus', () => {
  it('delivers events to subscribers until they unsubscribe', () => {
    const bus = new EventBus();
    const seen: EventMessage[] = [];
    const unsubscribe = bus.subscribe((m) => seen.push(m));
    bus.emit('backendChanged', report);
    unsubscribe();
    bus.emit('backendChanged', report);
    expect(seen).toEqual([{ event: 'backendChanged', payload: report }]);
  });

  it('refuses a payload its schema does not describe', () => {
    const bus = new EventBus();
    expect(() => bus.emit('backendChanged', { ...report, chosen: 'gpu' } as unknown as typeof report)).toThrow(
      /chosen/,
    );
  });
});
