/**
 * The adapter's zod schemas read the examples of Alpaca's own OpenAPI spec (the copy the fake
 * validates against), so the adapter and the spec agree on names, types and decimals-as-strings.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AlpacaAccount,
  AlpacaClock,
  AlpacaFillActivity,
  AlpacaOrder,
  AlpacaPosition,
} from '../../src/brokers/alpaca/alpaca-schemas.ts';

const Example = z.object({ value: z.unknown() });
const Spec = z.object({
  components: z.object({
    examples: z.record(z.string(), Example),
    schemas: z.record(
      z.string(),
      z.looseObject({ 'x-examples': z.record(z.string(), z.unknown()).optional() }),
    ),
  }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

const spec = Spec.parse(
  JSON.parse(readFileSync(new URL('../support/alpaca-fake/trading-api.json', import.meta.url), 'utf8')),
);

function schemaExamples(name: string): unknown[] {
  return Object.values(spec.components.schemas[name]?.['x-examples'] ?? {});
}

describe('the adapter schemas against the spec examples', () => {
  it.each(['EquityOrderResponse', 'CryptoOrderResponse', 'OptionOrderResponse', 'IPOOrderResponse'])(
    'reads the %s order',
    (name) => {
      const order = AlpacaOrder.parse(spec.components.examples[name]?.value);

      expect(order.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof order.filled_qty).toBe('number');
      expect(order.created_at).toMatch(/Z$/);
    },
  );

  it('reads the account, position, clock and FILL activity examples', () => {
    const account = z.object({ get: z.object({ responses: z.unknown() }) }).parse(spec.paths['/v2/account']);
    const example = z
      .object({
        200: z.object({ content: z.object({ 'application/json': z.object({ example: z.unknown() }) }) }),
      })
      .parse(account.get.responses)[200].content['application/json'].example;

    expect(AlpacaAccount.parse(example)).toMatchObject({ cash: 122086.5, buying_power: 245432.61 });
    expect(schemaExamples('Position').map((position) => AlpacaPosition.parse(position).qty)).toEqual([5, 2]);
    expect(AlpacaClock.parse(spec.components.schemas.legacy_clock?.example).next_open).toBe(
      '2025-06-25T13:30:00.000Z',
    );
    expect(schemaExamples('TradingActivities').map((fill) => AlpacaFillActivity.parse(fill).price)).toEqual([
      174.78,
    ]);
  });
});
