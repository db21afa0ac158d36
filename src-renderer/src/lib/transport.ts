import type { WorkstationBridge } from '@contract/bridge';
import { binaryContentType, decodeBinaryFrame, type BinaryAnswer } from '@contract/binary-frame';
import type { BinaryCallName, CallName, EventMessage } from '@contract/contract';
import type { ApiResult } from '@contract/errors';

/** How the renderer reaches the API: Electron IPC, or HTTP + WebSocket in a browser. */
export interface Transport {
  readonly kind: 'ipc' | 'http';
  call(name: CallName, input: unknown): Promise<ApiResult<unknown>>;
  /** A binary call: bulk bytes plus metadata (checked by the client). */
  binary(name: BinaryCallName, input: unknown): Promise<ApiResult<BinaryAnswer>>;
  /**
   * Subscribes to events. `onReconnect` runs when the event stream resumes
   * after a break, since events sent during the break are lost: re-read state then.
   */
  onEvent(listener: (message: unknown) => void, onReconnect?: () => void): () => void;
}

declare global {
  interface Window {
    workstation?: WorkstationBridge;
  }
}

export function ipcTransport(bridge: WorkstationBridge): Transport {
  return {
    kind: 'ipc',
    call: (name, input) => bridge.call(name, input),
    binary: (name, input) => bridge.binary(name, input),
    onEvent: (listener) => bridge.onEvent((message: EventMessage) => listener(message)),
  };
}

/**
 * The browser host's transport. A token given once in the page's address
 * (`?token=…`) is kept for the tab's session and sent with every request.
 */
export function httpTransport(location: Location = window.location): Transport {
  const token = readToken(location);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return {
    kind: 'http',
    call: async (name, input) => {
      let response: Response;
      try {
        response = await fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
      } catch (err) {
        return {
          ok: false,
          error: { code: 'unavailable', message: `the browser host does not answer (${String(err)})` },
        };
      }
      try {
        return (await response.json()) as ApiResult<unknown>;
      } catch {
        return { ok: false, error: { code: 'internal', message: `the host answered ${response.status} without JSON` } };
      }
    },
    binary: async (name, input) => {
      let response: Response;
      try {
        response = await fetch(`/api/binary/${name}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
        });
      } catch (err) {
        return {
          ok: false,
          error: { code: 'unavailable', message: `the browser host does not answer (${String(err)})` },
        };
      }
      if (response.headers.get('Content-Type') !== binaryContentType) {
        try {
          return (await response.json()) as ApiResult<BinaryAnswer>;
        } catch {
          return { ok: false, error: { code: 'internal', message: `the host answered ${response.status}` } };
        }
      }
      try {
        return { ok: true, value: decodeBinaryFrame(await response.arrayBuffer()) };
      } catch (err) {
        return { ok: false, error: { code: 'internal', message: `malformed binary answer: ${String(err)}` } };
      }
    },
    onEvent: (listener, onReconnect) => openEventSocket(location, token, listener, onReconnect),
  };
}

/** Subscribes to `/events`, reconnecting with backoff while the host restarts. */
function openEventSocket(
  location: Location,
  token: string | null,
  listener: (message: unknown) => void,
  onReconnect?: () => void,
): () => void {
  let socket: WebSocket | null = null;
  let closed = false;
  let delay = 500;
  let opened = false;
  const connect = (): void => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    socket = new WebSocket(`${scheme}://${location.host}/events${query}`);
    socket.onopen = () => {
      delay = 500;
      if (opened) onReconnect?.();
      opened = true;
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      try {
        listener(JSON.parse(event.data));
      } catch {
        // A malformed frame is dropped; the contract check happens in the client.
      }
    };
    socket.onclose = () => {
      if (closed) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  connect();
  return () => {
    closed = true;
    socket?.close();
  };
}

function readToken(location: Location): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('aligner-token', fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem('aligner-token');
}

export function pickTransport(): Transport {
  return window.workstation ? ipcTransport(window.workstation) : httpTransport();
}
