/**
 * The single DynamoDB table, built from TABLE_DEFINITION in src/store/table.ts (the same constants the
 * local runner and the tests create their tables from), so the deployed keys and indexes cannot drift
 * from the code. On-demand, point-in-time recovery, TTL on `expiresAt`; deletion protection and
 * RETAIN unless the stack is marked throwaway.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type Attribute, AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_DEFINITION, TTL_ATTRIBUTE } from '../src/store/table.ts';

type KeySchema = ReadonlyArray<{ readonly AttributeName: string; readonly KeyType: 'HASH' | 'RANGE' }>;

/** Settings of the table. */
export interface PinebridgeTableProps {
  /** Destroy the table with the stack, without deletion protection (test stacks only). */
  throwaway: boolean;
}

/** The app's table. */
export class PinebridgeTable extends Construct {
  /** The table. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: PinebridgeTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      ...keysOf(TABLE_DEFINITION.KeySchema),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: !props.throwaway,
      removalPolicy: props.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_DEFINITION.GlobalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.IndexName,
        ...keysOf(index.KeySchema),
        projectionType: ProjectionType[index.Projection.ProjectionType],
      });
    }
  }
}

function keysOf(schema: KeySchema): { partitionKey: Attribute; sortKey?: Attribute } {
  const hash = schema.find((key) => key.KeyType === 'HASH');
  const range = schema.find((key) => key.KeyType === 'RANGE');
  if (!hash) throw new Error('TABLE_DEFINITION: a key schema has no HASH key');
  return {
    partitionKey: attribute(hash.AttributeName),
    ...(range ? { sortKey: attribute(range.AttributeName) } : {}),
  };
}

function attribute(name: string): Attribute {
  const definition = TABLE_DEFINITION.AttributeDefinitions.find((a) => a.AttributeName === name);
  if (!definition) throw new Error(`TABLE_DEFINITION: ${name} has no attribute definition`);
  const types = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;
  return { name, type: types[definition.AttributeType] };
}
