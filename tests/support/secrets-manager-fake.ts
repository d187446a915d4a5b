/**
 * A fake AWS Secrets Manager on loopback, speaking the awsJson1_1 protocol as the AWS SDK v3 sends it:
 * `POST /`, `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: secretsmanager.<Operation>`, a
 * JSON body. Answers are JSON; errors are HTTP 400 (500 for injected faults) with `__type` and
 * `message`, from which the SDK builds its typed exceptions (ResourceNotFoundException, ...). SigV4
 * signatures are not checked. Every request is recorded as its operation and secret id, never a value.
 *
 * Versions follow Secrets Manager: a ClientRequestToken becomes the VersionId, a new value takes
 * AWSCURRENT and the old current one AWSPREVIOUS; a secret created without a value has no AWSCURRENT.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';

/** The operations the fake serves. */
export type FakeOperation = 'GetSecretValue' | 'PutSecretValue' | 'CreateSecret' | 'DescribeSecret';

/** One request the fake received. */
export interface FakeCall {
  operation: string;
  secretId: string | undefined;
}

interface Version {
  id: string;
  secretString: string;
  createdDate: number;
  stages: string[];
}

interface Secret {
  arn: string;
  name: string;
  createdDate: number;
  versions: Version[];
}

class FakeError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const JSON_1_1 = 'application/x-amz-json-1.1';
const ById = z.object({ SecretId: z.string().min(1) });
const GetInput = ById.extend({ VersionId: z.string().optional(), VersionStage: z.string().optional() });
const PutInput = ById.extend({ SecretString: z.string(), ClientRequestToken: z.string().optional() });
const CreateInput = z.object({
  Name: z.string().min(1),
  SecretString: z.string().optional(),
  ClientRequestToken: z.string().optional(),
});
const Envelope = z.record(z.string(), z.unknown());

/** A Secrets Manager fake; start it, point an SDK client at `endpoint`, close it after the test. */
export class SecretsManagerFake {
  /** Every request received, in order. */
  readonly calls: FakeCall[] = [];
  private readonly secrets = new Map<string, Secret>();
  private faults = 0;
  private readonly held = new Map<FakeOperation, Promise<void>>();

  private constructor(
    private readonly server: Server,
    /** The base URL for the SDK's `endpoint`. */
    readonly endpoint: string,
  ) {}

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(): Promise<SecretsManagerFake> {
    let fake: SecretsManagerFake | undefined;
    const server = createServer((request, response) => {
      fake?.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('fake has no address');
    fake = new SecretsManagerFake(server, `http://127.0.0.1:${address.port}`);
    return fake;
  }

  /** How many requests of `operation` (for `secretId`, when given) arrived. */
  count(operation: FakeOperation, secretId?: string): number {
    return this.calls.filter(
      (call) => call.operation === operation && (secretId === undefined || call.secretId === secretId),
    ).length;
  }

  /** Creates the secret or gives it a new current value, without a request (test set-up). */
  seed(name: string, secretString?: string): void {
    const secret = this.secrets.get(name) ?? this.create(name);
    if (secretString !== undefined) this.addVersion(secret, randomUUID(), secretString);
  }

  /** The next `count` requests answer HTTP 500 InternalServiceError. */
  failNext(count = 1): void {
    this.faults += count;
  }

  /** Delays answers to `operation` (computed on arrival) until the returned function is called. */
  hold(operation: FakeOperation): () => void {
    let release = () => {};
    this.held.set(
      operation,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => {
      this.held.delete(operation);
      release();
    };
  }

  /** Stops the server and drops kept-alive connections. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void this.answer(request, Buffer.concat(chunks).toString('utf8')).then(
        (body) => send(response, 200, body),
        (error: unknown) => {
          const fault =
            error instanceof FakeError ? error : new FakeError('InternalServiceError', String(error), 500);
          send(response, fault.status, { __type: fault.type, message: fault.message });
        },
      );
    });
  }

  private async answer(request: IncomingMessage, text: string): Promise<unknown> {
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.replace(/^secretsmanager\./, '') : '';
    const body = parseBody(text);
    const id = body?.SecretId ?? body?.Name;
    this.calls.push({ operation, secretId: typeof id === 'string' ? id : undefined });
    if (body === undefined) throw new FakeError('SerializationException', 'the body is not a JSON object');
    if (request.method !== 'POST' || request.url !== '/' || request.headers['content-type'] !== JSON_1_1) {
      throw new FakeError('SerializationException', 'expected POST / with application/x-amz-json-1.1');
    }
    if (this.faults > 0) {
      this.faults -= 1;
      throw new FakeError('InternalServiceError', 'injected fault', 500);
    }
    const result = this.operate(operation, body);
    // A held answer is computed now and delivered late, like a slow network after the service answered.
    if (isOperation(operation)) await this.held.get(operation);
    return result;
  }

  private operate(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'GetSecretValue':
        return this.getSecretValue(input(GetInput, body));
      case 'PutSecretValue':
        return this.putSecretValue(input(PutInput, body));
      case 'CreateSecret':
        return this.createSecret(input(CreateInput, body));
      case 'DescribeSecret':
        return this.describeSecret(input(ById, body));
      default:
        throw new FakeError('UnknownOperationException', `unknown operation ${operation}`);
    }
  }

  private getSecretValue(input: z.infer<typeof GetInput>): unknown {
    const secret = this.find(input.SecretId);
    const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
    const version = secret.versions.find(
      (v) =>
        (input.VersionId === undefined || v.id === input.VersionId) && (!stage || v.stages.includes(stage)),
    );
    if (!version) {
      throw new FakeError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${stage ?? input.VersionId}`,
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      SecretString: version.secretString,
      VersionStages: version.stages,
      CreatedDate: version.createdDate,
    };
  }

  private putSecretValue(input: z.infer<typeof PutInput>): unknown {
    const secret = this.find(input.SecretId);
    const version = this.addVersion(secret, input.ClientRequestToken ?? randomUUID(), input.SecretString);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
  }

  private createSecret(input: z.infer<typeof CreateInput>): unknown {
    if (this.secrets.has(input.Name)) {
      throw new FakeError(
        'ResourceExistsException',
        `The operation failed because the secret ${input.Name} already exists.`,
      );
    }
    const secret = this.create(input.Name);
    const version =
      input.SecretString === undefined
        ? undefined
        : this.addVersion(secret, input.ClientRequestToken ?? randomUUID(), input.SecretString);
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
  }

  private describeSecret(input: z.infer<typeof ById>): unknown {
    const secret = this.find(input.SecretId);
    const staged = secret.versions.filter((v) => v.stages.length > 0);
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: secret.createdDate,
      VersionIdsToStages: Object.fromEntries(staged.map((v) => [v.id, v.stages])),
    };
  }

  private find(secretId: string): Secret {
    const secret =
      this.secrets.get(secretId) ??
      [...this.secrets.values()].find((candidate) => candidate.arn === secretId);
    if (!secret)
      throw new FakeError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private create(name: string): Secret {
    const suffix = randomBytes(3).toString('hex');
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${suffix}`;
    const secret: Secret = { arn, name, createdDate: Date.now() / 1000, versions: [] };
    this.secrets.set(name, secret);
    return secret;
  }

  private addVersion(secret: Secret, id: string, secretString: string): Version {
    const existing = secret.versions.find((v) => v.id === id);
    if (existing) {
      // A retried request with the same token is idempotent; a different value under it is refused.
      if (existing.secretString === secretString) return existing;
      throw new FakeError(
        'ResourceExistsException',
        `A version with ClientRequestToken ${id} already exists.`,
      );
    }
    for (const v of secret.versions) {
      v.stages = v.stages.includes('AWSCURRENT')
        ? ['AWSPREVIOUS']
        : v.stages.filter((s) => s !== 'AWSPREVIOUS');
    }
    const version: Version = { id, secretString, createdDate: Date.now() / 1000, stages: ['AWSCURRENT'] };
    secret.versions.push(version);
    return version;
  }
}

function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    return Envelope.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function input<T>(schema: z.ZodType<T>, body: Record<string, unknown>): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new FakeError('InvalidParameterException', 'missing or invalid parameters');
  return parsed.data;
}

function isOperation(operation: string): operation is FakeOperation {
  return ['GetSecretValue', 'PutSecretValue', 'CreateSecret', 'DescribeSecret'].includes(operation);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': JSON_1_1, 'x-amzn-requestid': randomUUID() });
  response.end(JSON.stringify(body));
}
