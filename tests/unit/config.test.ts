import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CRYPTO_PATTERN,
  loadConfig,
  maskConfig,
  NYSE_EARLY_CLOSES,
  NYSE_HOLIDAYS,
  TRADINGVIEW_IPS,
} from '../../src/config.ts';

type Env = Record<string, string | undefined>;

/** A readFile that must not be called: no PINEBRIDGE_CONFIG means no file is read. */
function noFile(path: string): string {
  throw new Error(`unexpected read of ${path}`);
}

/** A readFile that serves one JSON file at one path. */
function fileAt(expectedPath: string, content: unknown): (path: string) => string {
  return (path) => {
    if (path !== expectedPath) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return typeof content === 'string' ? content : JSON.stringify(content);
  };
}

/** Runs loadConfig expecting it to refuse the configuration, and returns the ConfigError. */
function configError(env: Env, readFile: (path: string) => string = noFile): ConfigError {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  return expect.unreachable('loadConfig accepted an invalid configuration');
}

describe('loadConfig defaults', () => {
  it('returns every default when the environment is empty', () => {
    // Prepare
    const env: Env = {};

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config).toEqual({
      server: { port: 8787, host: '127.0.0.1' },
      dataDir: '.pinebridge',
      webhook: {
        maxBodyBytes: 16_384,
        ipAllowlist: { enabled: false, ips: [...TRADINGVIEW_IPS] },
        dedupeWindowSeconds: 300,
        deadlineMs: 2500,
      },
      api: {},
      dynamodb: { region: 'us-east-1', tableName: 'pinebridge' },
      account: { id: 'default', timeZone: 'America/New_York' },
      broker: {
        kind: 'paper',
        paper: {
          startingCash: 100_000,
          slippageBps: 2,
          commissionPerShare: 0,
          commissionPercent: 0,
          minCommission: 0,
          partialFillRatio: 1,
          latencyMs: 0,
          faults: {
            errorRate: 0,
            timeoutAfterAcceptRate: 0,
            rejectRate: 0,
            rateLimitRate: 0,
            retryAfterMs: 1000,
          },
        },
        alpaca: { baseUrl: 'https://paper-api.alpaca.markets' },
        schwab: { baseUrl: 'https://api.schwabapi.com', callbackUrl: 'https://127.0.0.1' },
        requestTimeoutMs: 5000,
        circuit: { failureThreshold: 5, openSeconds: 30 },
      },
      accounts: {},
      secrets: { ttlSeconds: 300 },
      sizing: { mode: 'alert', allowFractional: false },
      strategies: {},
      risk: {
        tradingState: 'ACTIVE',
        onDailyLossBreach: 'REDUCING',
        allowShort: false,
        symbolAllowlist: [],
        symbolDenylist: [],
        allowedAssetClasses: ['us_equity', 'crypto'],
        maxAlertAgeSeconds: 60,
        maxFutureSkewSeconds: 5,
        rejectOutOfOrder: true,
        checkBuyingPower: true,
        pdt: { enforce: true, accountType: 'margin', minEquity: 25_000, maxDayTrades: 3 },
      },
      market: {
        enforceHours: true,
        timeZone: 'America/New_York',
        open: '09:30',
        close: '16:00',
        extendedOpen: '04:00',
        extendedClose: '20:00',
        holidays: [...NYSE_HOLIDAYS],
        earlyCloses: { ...NYSE_EARLY_CLOSES },
        cryptoPattern: CRYPTO_PATTERN,
      },
      reconcile: { intervalSeconds: 5, driftPolicy: 'alert' },
      alerts: { retentionDays: 90 },
      log: { level: 'info' },
    });
  });

  it('leaves the secrets and optional limits unset by default', () => {
    // Prepare
    const env: Env = {};

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.webhook.passphrase).toBeUndefined();
    expect(config.api.token).toBeUndefined();
    expect(config.dynamodb.endpoint).toBeUndefined();
    expect(config.risk.maxOpenPositions).toBeUndefined();
    expect(config.sizing).toEqual({ mode: 'alert', allowFractional: false });
  });

  it('ignores variables that are neither named variables nor PINEBRIDGE__ overrides', () => {
    // Prepare
    const env: Env = { PATH: '/usr/bin', HOME: '/root', PINEBRIDGE_PORT: '1', pinebridge__server__port: '2' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.port).toBe(8787);
  });

  it('ignores variables whose value is undefined', () => {
    // Prepare
    const env: Env = { PORT: undefined, PINEBRIDGE__SERVER__PORT: undefined };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.port).toBe(8787);
  });
});

describe('loadConfig named variables', () => {
  it('reads PORT as a number into server.port', () => {
    // Prepare
    const env: Env = { PORT: '3000' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.port).toBe(3000);
  });

  it('reads HOST into server.host', () => {
    // Prepare
    const env: Env = { HOST: '0.0.0.0' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.host).toBe('0.0.0.0');
  });

  it('reads DATA_DIR into dataDir', () => {
    // Prepare
    const env: Env = { DATA_DIR: '/var/lib/pinebridge' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.dataDir).toBe('/var/lib/pinebridge');
  });

  it('reads WEBHOOK_PASSPHRASE into webhook.passphrase', () => {
    // Prepare
    const env: Env = { WEBHOOK_PASSPHRASE: 'correct horse battery' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.webhook.passphrase).toBe('correct horse battery');
  });

  it('reads API_TOKEN into api.token', () => {
    // Prepare
    const env: Env = { API_TOKEN: 'tok_0123456789abcdef' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.api.token).toBe('tok_0123456789abcdef');
  });

  it('reads DYNAMODB_ENDPOINT into dynamodb.endpoint', () => {
    // Prepare
    const env: Env = { DYNAMODB_ENDPOINT: 'http://localhost:8000' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.dynamodb.endpoint).toBe('http://localhost:8000');
  });

  it('reads DYNAMODB_TABLE and AWS_REGION into the dynamodb section', () => {
    // Prepare
    const env: Env = { DYNAMODB_TABLE: 'pinebridge-prod', AWS_REGION: 'eu-west-1' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.dynamodb.tableName).toBe('pinebridge-prod');
    expect(config.dynamodb.region).toBe('eu-west-1');
  });

  it('reads BROKER into broker.kind', () => {
    // Prepare
    const env: Env = { BROKER: 'paper' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.broker.kind).toBe('paper');
  });

  it('keeps a numeric-looking WEBHOOK_PASSPHRASE as the exact string', () => {
    // Prepare
    const env: Env = { WEBHOOK_PASSPHRASE: '0012345678' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.webhook.passphrase).toBe('0012345678');
  });

  it('keeps a numeric-looking API_TOKEN and a boolean-looking HOST as strings', () => {
    // Prepare
    const env: Env = { API_TOKEN: '1234567890123456789012', HOST: 'true' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.api.token).toBe('1234567890123456789012');
    expect(config.server.host).toBe('true');
  });

  it('treats an empty named variable as unset', () => {
    // Prepare
    const env: Env = { PORT: '', HOST: '', WEBHOOK_PASSPHRASE: '' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.port).toBe(8787);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.webhook.passphrase).toBeUndefined();
  });

  it('rejects a PORT that is not a number, naming server.port', () => {
    // Prepare
    const env: Env = { PORT: 'eighty' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^server\.port: /);
  });

  it('rejects a PORT outside 0-65535', () => {
    // Prepare
    const env: Env = { PORT: '70000' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^server\.port: /)]);
  });

  it('rejects a WEBHOOK_PASSPHRASE shorter than 8 characters', () => {
    // Prepare
    const env: Env = { WEBHOOK_PASSPHRASE: 'short' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual(['webhook.passphrase: must be at least 8 characters']);
  });

  it('rejects an API_TOKEN shorter than 16 characters', () => {
    // Prepare
    const env: Env = { API_TOKEN: 'too-short' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual(['api.token: must be at least 16 characters']);
  });

  it('rejects a DYNAMODB_ENDPOINT that is not a URL', () => {
    // Prepare
    const env: Env = { DYNAMODB_ENDPOINT: 'localhost 8000' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^dynamodb\.endpoint: /)]);
  });

  it('rejects a BROKER that is not a supported kind', () => {
    // Prepare
    const env: Env = { BROKER: 'ibkr' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^broker\.kind: /)]);
  });
});

describe('loadConfig PINEBRIDGE__ overrides', () => {
  it('reads PINEBRIDGE__RISK__MAX_OPEN_POSITIONS as risk.maxOpenPositions', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.maxOpenPositions).toBe(5);
  });

  it('reads PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS three levels deep as a decimal', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS: '7.5' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.broker.paper.slippageBps).toBe(7.5);
    expect(config.broker.paper.startingCash).toBe(100_000);
  });

  it('reads a top-level key such as PINEBRIDGE__DATA_DIR', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__DATA_DIR: '/tmp/pb' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.dataDir).toBe('/tmp/pb');
  });

  it('reads true and false as booleans', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__ALLOW_SHORT: 'true',
      PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__ENABLED: 'true',
      PINEBRIDGE__SIZING__ALLOW_FRACTIONAL: 'false',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.allowShort).toBe(true);
    expect(config.webhook.ipAllowlist.enabled).toBe(true);
    expect(config.sizing.allowFractional).toBe(false);
  });

  it('reads enum values as text', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__TRADING_STATE: 'HALTED', PINEBRIDGE__LOG__LEVEL: 'debug' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.tradingState).toBe('HALTED');
    expect(config.log.level).toBe('debug');
  });

  it('tolerates blanks around a numeric value', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__MAX_ORDER_QTY: ' 250 ' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.maxOrderQty).toBe(250);
  });

  it('reads a comma-separated PINEBRIDGE__RISK__SYMBOL_ALLOWLIST as a list', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__SYMBOL_ALLOWLIST: 'AAPL,MSFT' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.symbolAllowlist).toEqual(['AAPL', 'MSFT']);
  });

  it('trims list items and drops empty ones', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__SYMBOL_ALLOWLIST: ' AAPL , MSFT,,NVDA, ' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.symbolAllowlist).toEqual(['AAPL', 'MSFT', 'NVDA']);
  });

  it('reads a single-item list as a one-element array', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__SYMBOL_ALLOWLIST: 'AAPL' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.symbolAllowlist).toEqual(['AAPL']);
  });

  it('keeps numeric-looking list items as strings', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__SYMBOL_ALLOWLIST: '7203,6758' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk.symbolAllowlist).toEqual(['7203', '6758']);
  });

  it('upper-cases the symbols of PINEBRIDGE__RISK__SYMBOL_ALLOWLIST and PINEBRIDGE__RISK__SYMBOL_DENYLIST', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE__RISK__SYMBOL_ALLOWLIST: 'aapl, Msft ',
      PINEBRIDGE__RISK__SYMBOL_DENYLIST: ' gme ,amc',
    };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.risk).toMatchObject({ symbolAllowlist: ['AAPL', 'MSFT'], symbolDenylist: ['GME', 'AMC'] });
  });

  it('trims and upper-cases the symbol lists of the config file', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const file = fileAt('/etc/pinebridge.json', {
      risk: { symbolAllowlist: [' spy', 'btc/usd '], symbolDenylist: ['tsla '] },
    });

    // Act
    const config = loadConfig(env, file);

    // Assess
    expect(config.risk).toMatchObject({ symbolAllowlist: ['SPY', 'BTC/USD'], symbolDenylist: ['TSLA'] });
  });

  it('refuses a blank symbol in the symbol denylist of the config file', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const file = fileAt('/etc/pinebridge.json', { risk: { symbolDenylist: ['GME', '  '] } });

    // Act
    const error = configError(env, file);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^risk\.symbolDenylist/)]);
  });

  it('reads a list given as a JSON array', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__IPS: '["10.0.0.1", "10.0.0.2"]' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.webhook.ipAllowlist.ips).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('reads a comma-separated PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__IPS as a list', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__WEBHOOK__IP_ALLOWLIST__IPS: '10.0.0.1,10.0.0.2' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.webhook.ipAllowlist.ips).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('reads a whole section given as a JSON object', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RECONCILE: '{"intervalSeconds": 30}' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.reconcile).toEqual({ intervalSeconds: 30, driftPolicy: 'alert' });
  });

  it('keeps a numeric-looking PINEBRIDGE__WEBHOOK__PASSPHRASE as the exact string', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__WEBHOOK__PASSPHRASE: '00012345678' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.webhook.passphrase).toBe('00012345678');
  });

  it('keeps a numeric-looking PINEBRIDGE__ACCOUNT__ID as a string', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__ACCOUNT__ID: '1' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.account.id).toBe('1');
  });

  it('rejects a value of the wrong type, naming the config path', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: 'five' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^risk\.maxOpenPositions: /)]);
  });

  it('rejects a value outside its range', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS: '-1' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^broker\.paper\.slippageBps: /)]);
  });

  it('rejects a fractional value for an integer key', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '2.5' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^risk\.maxOpenPositions: /)]);
  });

  it('rejects PINEBRIDGE__ with no key after the prefix', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__: 'x' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual(['PINEBRIDGE__: names no config key']);
  });
});

describe('loadConfig unknown keys', () => {
  it('rejects a misspelt key inside a section, naming the section and the key', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISK__MAX_OPEN_POSITION: '5' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^risk: /);
    expect(error.problems[0]).toContain('maxOpenPosition');
  });

  it('rejects an unknown section, reporting it at the root', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__RISKS__MAX_OPEN_POSITIONS: '5' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^\(root\): /);
    expect(error.problems[0]).toContain('risks');
  });

  it('rejects an unknown key nested two levels deep', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__BROKER__PAPER__SLIPPAGE: '3' };

    // Act
    const error = configError(env);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^broker\.paper: .*slippage/)]);
  });

  it('rejects an unknown key in the config file', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const readFile = fileAt('/etc/pinebridge.json', { server: { prot: 8080 } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^server: .*prot/)]);
  });
});

describe('loadConfig PINEBRIDGE_CONFIG file', () => {
  it('reads the JSON file named by PINEBRIDGE_CONFIG through the injected readFile', () => {
    // Prepare
    const paths: string[] = [];
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const readFile = (path: string): string => {
      paths.push(path);
      return JSON.stringify({
        server: { port: 9000 },
        risk: { maxOpenPositions: 3, symbolAllowlist: ['SPY'] },
        broker: { paper: { startingCash: 25_000 } },
      });
    };

    // Act
    const config = loadConfig(env, readFile);

    // Assess
    expect(paths).toEqual(['/etc/pinebridge.json']);
    expect(config.server).toEqual({ port: 9000, host: '127.0.0.1' });
    expect(config.risk.maxOpenPositions).toBe(3);
    expect(config.risk.symbolAllowlist).toEqual(['SPY']);
    expect(config.broker.paper.startingCash).toBe(25_000);
    expect(config.broker.paper.slippageBps).toBe(2);
  });

  it('does not read any file when PINEBRIDGE_CONFIG is empty', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.port).toBe(8787);
  });

  it('reports a file that cannot be read, naming the path', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/missing.json' };
    const readFile = fileAt('/elsewhere.json', {});

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([
      expect.stringMatching(/^PINEBRIDGE_CONFIG \(\/missing\.json\): .*ENOENT/),
    ]);
  });

  it('reports a file that is not valid JSON', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const readFile = fileAt('/etc/pinebridge.json', '{ "server": { "port": 9000, } }');

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^PINEBRIDGE_CONFIG \(\/etc\/pinebridge\.json\): /);
  });

  it.each([
    ['an array', '[1, 2]'],
    ['null', 'null'],
    ['a number', '42'],
  ])('reports a file holding %s instead of an object', (_kind, content) => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const readFile = fileAt('/etc/pinebridge.json', content);

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual(['PINEBRIDGE_CONFIG (/etc/pinebridge.json): must hold a JSON object']);
  });

  it('rejects a passphrase written as a JSON number in the file', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };
    const readFile = fileAt('/etc/pinebridge.json', { webhook: { passphrase: 12345678 } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toEqual([expect.stringMatching(/^webhook\.passphrase: /)]);
  });
});

describe('loadConfig precedence', () => {
  const file = fileAt('/etc/pinebridge.json', {
    server: { port: 1000, host: 'file-host' },
    risk: { maxOpenPositions: 1, maxOrderQty: 100 },
  });

  it('uses the file value when nothing overrides it', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json' };

    // Act
    const config = loadConfig(env, file);

    // Assess
    expect(config.server.port).toBe(1000);
    expect(config.risk.maxOpenPositions).toBe(1);
  });

  it('lets a PINEBRIDGE__ override win over the file', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE_CONFIG: '/etc/pinebridge.json',
      PINEBRIDGE__SERVER__PORT: '2000',
      PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5',
    };

    // Act
    const config = loadConfig(env, file);

    // Assess
    expect(config.server.port).toBe(2000);
    expect(config.risk.maxOpenPositions).toBe(5);
  });

  it('keeps the other file keys of a section an override touches', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json', PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5' };

    // Act
    const config = loadConfig(env, file);

    // Assess
    expect(config.risk.maxOrderQty).toBe(100);
    expect(config.server.host).toBe('file-host');
  });

  it('lets a named variable win over both the override and the file', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE_CONFIG: '/etc/pinebridge.json',
      PINEBRIDGE__SERVER__PORT: '2000',
      PORT: '3000',
      PINEBRIDGE__SERVER__HOST: 'override-host',
      HOST: 'named-host',
    };

    // Act
    const config = loadConfig(env, file);

    // Assess
    expect(config.server).toEqual({ port: 3000, host: 'named-host' });
  });

  it('lets a named variable win over an override without a file', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__DYNAMODB__REGION: 'us-west-2', AWS_REGION: 'ap-southeast-2' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.dynamodb.region).toBe('ap-southeast-2');
  });

  it('falls back to the override when the named variable is empty', () => {
    // Prepare
    const env: Env = { PINEBRIDGE__SERVER__PORT: '2000', PORT: '' };

    // Act
    const config = loadConfig(env, noFile);

    // Assess
    expect(config.server.port).toBe(2000);
  });
});

describe('ConfigError', () => {
  it('reports several problems at once in one ConfigError', () => {
    // Prepare
    const env: Env = {
      PINEBRIDGE_CONFIG: '/etc/pinebridge.json',
      PORT: 'eighty',
      API_TOKEN: 'short',
      PINEBRIDGE__RISK__MAX_OPEN_POSITION: '5',
      PINEBRIDGE__BROKER__PAPER__SLIPPAGE_BPS: '5000',
    };
    const readFile = fileAt('/etc/pinebridge.json', { log: { level: 'loud' } });

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toHaveLength(5);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.port: /),
        'api.token: must be at least 16 characters',
        expect.stringMatching(/^risk: .*maxOpenPosition/),
        expect.stringMatching(/^broker\.paper\.slippageBps: /),
        expect.stringMatching(/^log\.level: /),
      ]),
    );
  });

  it('reports a file problem together with the problems of the environment', () => {
    // Prepare
    const env: Env = { PINEBRIDGE_CONFIG: '/etc/pinebridge.json', PORT: 'eighty' };
    const readFile = fileAt('/etc/pinebridge.json', 'not json');

    // Act
    const error = configError(env, readFile);

    // Assess
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^PINEBRIDGE_CONFIG /);
    expect(error.problems[1]).toMatch(/^server\.port: /);
  });

  it('is an Error named ConfigError whose message lists every problem', () => {
    // Prepare
    const env: Env = { PORT: 'eighty', API_TOKEN: 'short' };

    // Act
    const error = configError(env);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/^invalid configuration:\n {2}- /);
    for (const problem of error.problems) expect(error.message).toContain(`\n  - ${problem}`);
  });

  it('lists the problems given to it in its message', () => {
    // Prepare
    const problems = ['a: first', 'b: second'];

    // Act
    const error = new ConfigError(problems);

    // Assess
    expect(error.problems).toEqual(problems);
    expect(error.message).toBe('invalid configuration:\n  - a: first\n  - b: second');
  });
});

describe('maskConfig', () => {
  it('hides the webhook passphrase and the API token', () => {
    // Prepare
    const config = loadConfig(
      { WEBHOOK_PASSPHRASE: 'correct horse battery', API_TOKEN: 'tok_0123456789abcdef' },
      noFile,
    );

    // Act
    const masked = maskConfig(config);

    // Assess
    expect(masked.webhook.passphrase).toBe('********');
    expect(masked.api.token).toBe('********');
    const printed = JSON.stringify(masked);
    expect(printed).not.toContain('correct horse battery');
    expect(printed).not.toContain('tok_0123456789abcdef');
  });

  it('keeps every other value as it was', () => {
    // Prepare
    const config = loadConfig(
      {
        WEBHOOK_PASSPHRASE: 'correct horse battery',
        API_TOKEN: 'tok_0123456789abcdef',
        PORT: '3000',
        PINEBRIDGE__WEBHOOK__DEDUPE_WINDOW_SECONDS: '600',
        PINEBRIDGE__RISK__MAX_OPEN_POSITIONS: '5',
      },
      noFile,
    );

    // Act
    const masked = maskConfig(config);

    // Assess
    expect(masked).toEqual({
      ...config,
      webhook: { ...config.webhook, passphrase: '********' },
      api: { token: '********' },
    });
    expect(masked.webhook.dedupeWindowSeconds).toBe(600);
  });

  it('leaves unset secrets unset instead of showing a mask', () => {
    // Prepare
    const config = loadConfig({}, noFile);

    // Act
    const masked = maskConfig(config);

    // Assess
    expect(masked.webhook.passphrase).toBeUndefined();
    expect(masked.api.token).toBeUndefined();
  });

  it('does not change the configuration it is given', () => {
    // Prepare
    const config = loadConfig(
      { WEBHOOK_PASSPHRASE: 'correct horse battery', API_TOKEN: 'tok_0123456789abcdef' },
      noFile,
    );

    // Act
    maskConfig(config);

    // Assess
    expect(config.webhook.passphrase).toBe('correct horse battery');
    expect(config.api.token).toBe('tok_0123456789abcdef');
  });
});
