import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventBus } from '../../api/event-bus';
import { binaryContentType, encodeBinaryFrame } from '../../api/binary-frame';
import type { BinaryDispatch, Dispatch } from '../../api/dispatch';
import { httpStatusOf, type ApiError } from '../../api/errors';
import { contentSecurityPolicy } from '../security';
import { readStaticFile } from './static-files';

export interface WebHostOptions {
  readonly dispatch: Dispatch;
  /** The binary calls (`POST /api/binary/<call>`); without it they answer unknown_call. */
  readonly binaryDispatch?: BinaryDispatch;
  readonly events: EventBus;
  /** Folder of the built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required when `host` is not a loopback address; then every API request and the WebSocket must carry it. */
  readonly token?: string | undefined;
  readonly health: () => Promise<{ version: string; backend: string | null }>;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || host.startsWith('127.');
}

/**
 * The browser host: the built renderer, the API as `POST /api/<call>` with JSON
 * bodies, `GET /api/health`, and the contract's events over a WebSocket at
 * `/events`.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  if (!isLoopback(options.host) && !options.token) {
    throw new Error(`binding to ${options.host} exposes the workspace to the network: give --token too`);
  }
  const server = createServer((req, res) => {
    handleRequest(options, req, res).catch((err: unknown) => {
      sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(err) } });
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://host');
    if (url.pathname !== '/events' || !hostAllowed(options, req) || !tokenValid(options, req, url)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  const unsubscribe = options.events.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(text);
  });
  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', () => ws.close(1008, 'the events socket is one-way'));
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () => closeServer(server, sockets, unsubscribe),
  };
}

async function handleRequest(options: WebHostOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://host');
  if (!hostAllowed(options, req)) {
    sendJson(res, 403, apiError('unauthorized', 'request refused: unexpected Host header'));
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    if (!tokenValid(options, req, url)) {
      sendJson(res, 401, apiError('unauthorized', 'missing or wrong token (send Authorization: Bearer <token>)'));
      return;
    }
    await handleApi(options, req, res, url.pathname.slice('/api/'.length));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, apiError('unknown_call', `${req.method ?? ''} is not allowed on ${url.pathname}`));
    return;
  }
  const file = await readStaticFile(options.rendererDir, url.pathname);
  if (!file) {
    sendJson(res, 404, apiError('unknown_call', `no such file: ${url.pathname}`));
    return;
  }
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}

async function handleApi(
  options: WebHostOptions,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  if (name === 'health') {
    if (req.method !== 'GET') {
      sendJson(res, 405, apiError('unknown_call', 'use GET /api/health'));
      return;
    }
    const health = await options.health();
    sendJson(res, 200, { ok: true, version: health.version, backend: health.backend });
    return;
  }
  if (req.method !== 'POST') {
    sendJson(res, 405, apiError('unknown_call', `API calls are POST /api/<call>; got ${req.method ?? ''}`));
    return;
  }
  const body = await readBody(req, options.maxBodyBytes ?? 1024 * 1024);
  if (body === null) {
    sendJson(res, 413, apiError('invalid_input', 'request body too large'));
    return;
  }
  let input: unknown = {};
  if (body.length > 0) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch (err) {
      sendJson(res, 400, apiError('invalid_json', `malformed JSON body: ${(err as Error).message}`));
      return;
    }
  }
  if (name.startsWith('binary/')) {
    const binaryName = name.slice('binary/'.length);
    const answer = options.binaryDispatch
      ? await options.binaryDispatch(binaryName, input)
      : ({ ok: false, error: { code: 'unknown_call', message: `unknown binary API call '${binaryName}'` } } as const);
    if (!answer.ok) {
      sendJson(res, httpStatusOf[answer.error.code], answer);
      return;
    }
    const frame = encodeBinaryFrame(answer.value);
    res.writeHead(200, {
      'Content-Type': binaryContentType,
      'Content-Length': frame.byteLength,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(frame);
    return;
  }
  const result = await options.dispatch(name, input);
  sendJson(res, result.ok ? 200 : httpStatusOf[result.error.code], result);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', rejectBody);
  });
}

/** Refuses DNS-rebinding: on loopback, only loopback names may appear in Host. */
function hostAllowed(options: WebHostOptions, req: IncomingMessage): boolean {
  if (!isLoopback(options.host)) return true;
  const host = req.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : (host.split(':')[0] ?? '');
  return isLoopback(name);
}

function tokenValid(options: WebHostOptions, req: IncomingMessage, url: URL): boolean {
  if (!options.token) return true;
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : (url.searchParams.get('token') ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(options.token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function apiError(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function closeServer(server: Server, sockets: WebSocketServer, unsubscribe: () => void): Promise<void> {
  unsubscribe();
  for (const client of sockets.clients) client.terminate();
  sockets.close();
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
