import {
  binaryCalls,
  calls,
  events,
  type BinaryCallInput,
  type BinaryCallMeta,
  type BinaryCallName,
  type CallInput,
  type CallName,
  type CallOutput,
  type EventName,
  type EventPayload,
} from '@contract/contract';
import { ApiCallError } from '@contract/errors';
import { pickTransport, type Transport } from './transport';

/**
 * The renderer's one API client. It does not care which host serves it; every
 * answer and event is checked against the contract before the UI sees it.
 */
export class ApiClient {
  readonly #handlers = new Map<EventName, Set<(payload: unknown) => void>>();

  readonly #reconnectHandlers = new Set<() => void>();

  constructor(readonly transport: Transport) {
    transport.onEvent(
      (raw) => this.#deliver(raw),
      () => {
        for (const handler of this.#reconnectHandlers) handler();
      },
    );
  }

  /** Runs `handler` when the host's event stream resumes after a break (events may have been missed). */
  onReconnect(handler: () => void): () => void {
    this.#reconnectHandlers.add(handler);
    return () => this.#reconnectHandlers.delete(handler);
  }

  async call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
    const result = await this.transport.call(name, input);
    if (!result.ok) throw new ApiCallError(result.error);
    const checked = calls[name].output.safeParse(result.value);
    if (!checked.success) {
      throw new ApiCallError({ code: 'internal', message: `${name}: the answer does not match the contract` });
    }
    return checked.data as CallOutput<N>;
  }

  /** A binary call: the metadata is checked against the contract, the bytes come as they are. */
  async binary<N extends BinaryCallName>(
    name: N,
    input: BinaryCallInput<N>,
  ): Promise<{ meta: BinaryCallMeta<N>; data: Uint8Array }> {
    const result = await this.transport.binary(name, input);
    if (!result.ok) throw new ApiCallError(result.error);
    const checked = binaryCalls[name].meta.safeParse(result.value.meta);
    if (!checked.success) {
      throw new ApiCallError({ code: 'internal', message: `${name}: the metadata does not match the contract` });
    }
    return { meta: checked.data as BinaryCallMeta<N>, data: result.value.data };
  }

  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
    let set = this.#handlers.get(event);
    if (!set) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    // The payload was checked against this event's schema in #deliver.
    const untyped = handler as (payload: unknown) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  #deliver(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) return;
    const { event, payload } = raw as { event?: unknown; payload?: unknown };
    if (typeof event !== 'string' || !Object.hasOwn(events, event)) return;
    const name = event as EventName;
    const checked = events[name].safeParse(payload);
    if (!checked.success) return;
    for (const handler of this.#handlers.get(name) ?? []) handler(checked.data);
  }
}

export const api = new ApiClient(pickTransport());

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
