/**
 * The secrets the functions read: the app secret (webhook passphrase and API token) and the default
 * account's broker secret (Alpaca or Schwab, none for the paper broker). Each is created holding `{}`
 * (the functions refuse to start, naming the missing keys, until someone puts the real JSON in) or
 * imported by its complete ARN. An extra account's secret is named in the configuration file and
 * imported by that name or ARN. The stack never holds a secret value.
 */
import { RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { BrokerKind, DeployedAccount } from './deployed-config.ts';

/** Settings of the secrets. */
export interface PinebridgeSecretsProps {
  /** The default account's broker. */
  broker: BrokerKind;
  /** Complete ARNs of existing secrets to use instead of creating them. */
  appSecretArn?: string | undefined;
  alpacaSecretArn?: string | undefined;
  schwabSecretArn?: string | undefined;
  /** Extra accounts, whose secrets are named in the configuration file. */
  accounts: readonly DeployedAccount[];
  /** Destroy created secrets with the stack (test stacks only). */
  throwaway: boolean;
}

/** A secret one account's broker reads, and whether the functions write it back (Schwab tokens). */
export interface BrokerSecret {
  secret: ISecret;
  writable: boolean;
}

/** The stack's secrets. */
export class PinebridgeSecrets extends Construct {
  /** `{ webhookPassphrase, apiToken }`. */
  readonly app: ISecret;
  /** `{ keyId, secretKey }`, when the default account trades on Alpaca. */
  readonly alpaca?: ISecret | undefined;
  /** `{ appKey, appSecret, callbackUrl, accountNumber?, tokens? }`, when it trades on Schwab. */
  readonly schwab?: ISecret | undefined;
  /** Every broker secret, the default account's and the extra accounts'. */
  readonly brokers: BrokerSecret[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PinebridgeSecretsProps,
  ) {
    super(scope, id);
    this.app = this.secret('App', 'app', props.appSecretArn, 'pinebridge: {"webhookPassphrase","apiToken"}');
    if (props.broker === 'alpaca') {
      this.alpaca = this.secret(
        'Alpaca',
        'alpaca',
        props.alpacaSecretArn,
        'pinebridge: Alpaca {"keyId","secretKey"}',
      );
      this.brokers.push({ secret: this.alpaca, writable: false });
    }
    if (props.broker === 'schwab') {
      this.schwab = this.secret(
        'Schwab',
        'schwab',
        props.schwabSecretArn,
        'pinebridge: Schwab {"appKey","appSecret","callbackUrl","accountNumber"?,"tokens"?}; tokens are written back',
      );
      this.brokers.push({ secret: this.schwab, writable: true });
    }
    for (const account of props.accounts) {
      if (account.secretId === undefined) continue;
      this.brokers.push({
        secret: importSecret(this, `Account-${account.accountId}`, account.secretId),
        writable: account.broker === 'schwab',
      });
    }
  }

  private secret(id: string, name: string, arn: string | undefined, description: string): ISecret {
    if (arn !== undefined) return Secret.fromSecretCompleteArn(this, id, arn);
    const secret = new Secret(this, id, {
      secretName: `${Stack.of(this).stackName.toLowerCase()}/${name}`,
      description,
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: this.props.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Broker and webhook credentials are issued outside AWS (Alpaca, Schwab, TradingView alert text): no rotation Lambda can mint new ones. Schwab tokens rotate in the app itself. Rotation is manual: docs/operations.md.',
    });
    return secret;
  }
}

/** A secret named in the configuration file: a complete ARN, a partial ARN or a name. */
function importSecret(scope: Construct, id: string, secretId: string): ISecret {
  if (/^arn:.+-[A-Za-z0-9]{6}$/.test(secretId)) return Secret.fromSecretCompleteArn(scope, id, secretId);
  if (secretId.startsWith('arn:')) return Secret.fromSecretPartialArn(scope, id, secretId);
  return Secret.fromSecretNameV2(scope, id, secretId);
}
