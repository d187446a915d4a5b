/**
 * Broker errors: adapters translate vendor and network failures into these classes, and the submit
 * policy decides from the class alone whether to retry, look the order up, or give up.
 */

/** Base class of every broker failure. */
export class BrokerError extends Error {
  override readonly name: string = 'BrokerError';
}

/**
 * The broker could not be reached or failed (network error, 5xx, timeout). `ambiguous` is true when
 * the request may have reached the broker (a timeout or a reset after sending): the order may exist.
 */
export class BrokerUnavailableError extends BrokerError {
  override readonly name: string = 'BrokerUnavailableError';
  constructor(
    message: string,
    readonly ambiguous: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The broker asked us to slow down; `retryAfterMs` says for how long, when it said. */
export class BrokerRateLimitedError extends BrokerError {
  override readonly name: string = 'BrokerRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The broker refused the order; retrying will not help. `code` is stable UPPER_SNAKE. */
export class BrokerRejectedError extends BrokerError {
  override readonly name: string = 'BrokerRejectedError';
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
