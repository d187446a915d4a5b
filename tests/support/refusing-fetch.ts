/**
 * A fetch for the Alpaca adapter whose next `times` order submissions (POST) go to a loopback port
 * nobody listens on: the operating system refuses the connection, so nothing reaches the broker.
 * Every other call, and the submissions after those, go where they were addressed.
 */
import { freePort } from './free-port.ts';

/** The fetch, and how many submissions it has refused so far. */
export interface RefusingFetch {
  fetch: typeof fetch;
  refused(): number;
}

/** A fetch refusing the next `times` POSTs. */
export async function refusingFetch(times: number): Promise<RefusingFetch> {
  const closedPort = await freePort();
  let left = times;
  let refused = 0;
  const wrapped = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (left > 0 && typeof input === 'string' && init?.method === 'POST') {
      left -= 1;
      refused += 1;
      const url = new URL(input);
      url.host = `127.0.0.1:${closedPort}`;
      return fetch(url, init);
    }
    return fetch(input, init);
  };
  return { fetch: wrapped, refused: () => refused };
}
