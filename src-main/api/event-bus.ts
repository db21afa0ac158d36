import { events, type EventMessage, type EventName, type EventPayload } from './contract';

export type EventListener = (message: EventMessage) => void;

/**
 * Delivers the contract's events to the hosts' transports. Payloads are checked
 * against their schema when emitted, so a transport forwards them as they are.
 */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload) as EventPayload<E>;
    const message = { event, payload: checked } as EventMessage;
    for (const listener of this.#listeners) listener(message);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
