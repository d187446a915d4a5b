/**
 * What `npm start` prints: where to send alerts, the secrets in use, a TradingView message to paste
 * and a curl line that sends a test alert.
 */
import type { LocalServer } from './local-server.ts';

const TIME_MARKER = '@TIME@';

/** The start-up banner text. */
export function banner(server: LocalServer): string {
  const { config, secrets } = server;
  const webhookUrl = `${server.url}/webhook`;
  const message = JSON.stringify({
    passphrase: secrets.passphrase,
    symbol: '{{ticker}}',
    action: '{{strategy.order.action}}',
    quantity: '{{strategy.order.contracts}}',
    price: '{{close}}',
    market_position: '{{strategy.market_position}}',
    position_size: '{{strategy.position_size}}',
    time: '{{timenow}}',
  });
  // The alert's time is stamped by the shell when the line runs: a time written now would be stale
  // (STALE_ALERT) a minute later.
  const test = JSON.stringify({
    passphrase: secrets.passphrase,
    symbol: 'AAPL',
    action: 'buy',
    quantity: 1,
    price: 190.25,
    time: TIME_MARKER,
  });
  const lines = [
    '',
    `pinebridge is running (local mode, ${brokersOf(server)})`,
    '',
    `  webhook URL   ${webhookUrl}`,
    `  passphrase    ${secrets.passphrase}   (${secrets.source.passphrase}; WEBHOOK_PASSPHRASE overrides)`,
    `  API token     ${secrets.apiToken}   (${secrets.source.apiToken}; API_TOKEN overrides)`,
    `  data          ${config.dataDir} (DynamoDB ${server.embedded ? 'embedded' : server.dynamoEndpoint})`,
    `  reconcile     every ${config.reconcile.intervalSeconds} s, or POST ${server.url}/api/reconcile`,
    '',
    'TradingView alert message (paste into the alert\'s "Message" box):',
    `  ${message}`,
    '',
    'Send a test alert:',
    `  curl -s -X POST ${webhookUrl} -d '${shellQuoted(test).replace(TIME_MARKER, `'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'`)}'`,
    '',
    'See what happened:',
    `  curl -s -H 'Authorization: Bearer ${secrets.apiToken}' ${server.url}/api/alerts`,
    `  curl -s -H 'Authorization: Bearer ${secrets.apiToken}' ${server.url}/api/positions`,
    '',
    'TradingView itself can only reach a public HTTPS URL on port 443: deploy with `npx cdk deploy`,',
    'or put a tunnel in front of this port for a trial.',
    '',
  ];
  return lines.join('\n');
}

/** "paper broker", or each account with its broker when there are several. */
function brokersOf(server: LocalServer): string {
  const accounts = server.deps.routing.accounts;
  const [only] = accounts;
  if (accounts.length === 1 && only) return `${only.broker.name} broker`;
  return `accounts: ${accounts.map((account) => `${account.accountId} on ${account.broker.name}`).join(', ')}`;
}

/** Text for the inside of a single-quoted shell word. */
function shellQuoted(text: string): string {
  return text.replaceAll("'", "'\\''");
}
