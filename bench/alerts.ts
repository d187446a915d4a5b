/**
 * What the benchmark sends: TradingView-style JSON alerts, each body unique (the dedupe key is the
 * hash of the body), all passing risk under generous limits, and the environment the app is
 * configured from (the same variables the Lambda entry and `npm start` read).
 */

/** The webhook passphrase and API token of every benchmark run. */
export const PASSPHRASE = 'bench-passphrase-7c1f0a';
export const API_TOKEN = 'bench-api-token-0123456789abcdef';
/** One of TradingView's published webhook source addresses. */
export const TRADINGVIEW_IP = '52.89.214.238';
/** A realistic handful of symbols: the book holds one entry per symbol. */
export const SYMBOLS = [
  'AAPL',
  'MSFT',
  'NVDA',
  'AMZN',
  'GOOGL',
  'META',
  'TSLA',
  'AMD',
  'NFLX',
  'AVGO',
] as const;
/** The symbol on the denylist: its alerts are denied by risk. */
export const DENIED_SYMBOL = 'DENYME';

/**
 * Risk and market settings under which every benchmark alert passes: market hours not enforced,
 * alerts up to an hour old accepted (the bench stamps all alerts of a run with one time, as
 * TradingView's {{timenow}} stamps a burst within one second), a paper account with enough cash for
 * every buy, the pattern-day-trader rule off (only buys are sent anyway), and one denied symbol.
 */
export const RISK_ENV: Readonly<Record<string, string>> = {
  PINEBRIDGE__MARKET__ENFORCE_HOURS: 'false',
  PINEBRIDGE__RISK__MAX_ALERT_AGE_SECONDS: '3600',
  PINEBRIDGE__RISK__MAX_FUTURE_SKEW_SECONDS: '3600',
  PINEBRIDGE__RISK__SYMBOL_DENYLIST: DENIED_SYMBOL,
  PINEBRIDGE__RISK__PDT__ENFORCE: 'false',
  PINEBRIDGE__BROKER__PAPER__STARTING_CASH: '1000000000000',
  PINEBRIDGE__BROKER__PAPER__LATENCY_MS: '0',
  PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS: '0',
};

/** The environment the app is booted from, against `endpoint` and `tableName`. */
export function appEnv(endpoint: string, tableName: string): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: endpoint,
    DYNAMODB_TABLE: tableName,
    WEBHOOK_PASSPHRASE: PASSPHRASE,
    API_TOKEN,
    ...RISK_ENV,
  };
}

/** Makes alert bodies; `run` keeps bodies of different runs apart. */
export class AlertBodies {
  private readonly time: string;
  private count = 0;

  constructor(private readonly run: string) {
    this.time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** A buy of 1 share of a rotating symbol that passes every check. */
  accepted(symbol?: string): string {
    this.count += 1;
    const n = this.count;
    return this.body(symbol ?? SYMBOLS[n % SYMBOLS.length] ?? 'AAPL', n);
  }

  /** A buy of the denylisted symbol: denied by risk (SYMBOL_DENIED) after the book is read. */
  denied(): string {
    this.count += 1;
    return this.body(DENIED_SYMBOL, this.count);
  }

  private body(symbol: string, n: number): string {
    return JSON.stringify({
      passphrase: PASSPHRASE,
      ticker: symbol,
      exchange: 'NASDAQ',
      action: 'buy',
      contracts: 1,
      price: 100 + (n % 50),
      timenow: this.time,
      strategy: 'bench-trend',
      order_id: 'Long Entry',
      comment: `${this.run}-${n}`,
    });
  }
}
