/**
 * A fetch for the Alpaca adapter that models a submission delayed in the network: the first order
 * submission (POST) does not leave until its caller has given up on it (aborted), and it reaches the
 * broker just after the broker answered the next lookup by client order id. So the lookup finds
 * nothing, yet by the time its answer is read the broker holds the order: the race a lookup cannot
 * close, which only the broker's refusal of a reused client order id does.
 */

/** The fetch, and whether the delayed submission has been delivered. */
export interface LateFetch {
  fetch: typeof fetch;
  delivered(): boolean;
}

/** A fetch delaying the first POST until after the next lookup, as described above. */
export function lateFetch(): LateFetch {
  let held: { url: string; init: RequestInit } | undefined;
  let delivered = false;
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (held === undefined && !delivered && typeof input === 'string' && init?.method === 'POST') {
      const { signal, ...rest } = init;
      held = { url: input, init: rest };
      // The caller stops waiting; the request itself is still on its way.
      return new Promise<never>((_, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    const response = await fetch(input, init);
    const late = held;
    if (late === undefined || delivered || typeof input !== 'string') return response;
    if (!input.includes('/v2/orders:by_client_order_id')) return response;
    const text = await response.text();
    await (await fetch(late.url, late.init)).text();
    delivered = true;
    return new Response(text, { status: response.status, headers: response.headers });
  };
  return { fetch: wrapped, delivered: () => delivered };
}
