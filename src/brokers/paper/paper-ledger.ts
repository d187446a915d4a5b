/**
 * The paper broker's account: cash and positions in one item. Fills are booked by one UpdateItem that
 * adds to cash and sets the positions it touches, conditional on those positions being as read (a
 * position's average price needs its previous value) and, for a buy that opens or adds, on the cash
 * covering the order. Fills of different symbols therefore never refuse each other; fills of one
 * symbol are booked one at a time. The item's `version` counts the writes.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FillReport } from '../../domain/order.ts';
import { applyFill, flatPosition, roundMoney } from '../../domain/position.ts';
import { isConditionFailed, keys, type TableRef } from '../../store/table.ts';
import { BrokerUnavailableError } from '../errors.ts';
import { PaperAccount } from './paper-records.ts';

const WRITE_ATTEMPTS = 100;

type Position = PaperAccount['positions'][string];

/** A buy's order cost, which must fit the cash when the buy opens or adds. */
export interface BuyCost {
  qty: number;
  price: number;
}

/** Reads the paper account and books fills into it. */
export class PaperLedger {
  constructor(
    private readonly table: TableRef,
    private readonly accountId: string,
    private readonly startingCash: number,
  ) {}

  /** The account as it is now; a new account holds the starting cash and nothing else. */
  async read(): Promise<PaperAccount & { stored: boolean }> {
    const result = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.paperAccount(this.accountId),
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return { cash: this.startingCash, version: 0, positions: {}, stored: false };
    return { ...PaperAccount.parse(result.Item), stored: true };
  }

  /**
   * Moves cash and positions for new fills, retrying from a fresh read when another writer moved one
   * of their positions first. With `buying`, a buy that does not cover a short must fit the cash: the
   * refusal reason is returned instead.
   */
  async bookFills(fills: readonly FillReport[], buying?: BuyCost): Promise<string | undefined> {
    if (fills.length === 0) return undefined;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const account = await this.read();
      if (!account.stored) await this.create();
      const first = fills[0];
      let cost: number | undefined;
      if (buying && first?.side === 'buy' && (account.positions[first.symbol]?.qty ?? 0) >= 0) {
        cost = buying.qty * buying.price;
        if (cost > account.cash) {
          return `order cost ${roundMoney(cost)} exceeds cash ${roundMoney(account.cash)}`;
        }
      }
      const after: Record<string, Position> = {};
      let cashChange = 0;
      for (const fill of fills) {
        const held = after[fill.symbol] ?? account.positions[fill.symbol];
        const effect = applyFill(
          { ...flatPosition(fill.symbol, fill.filledAt), ...held },
          { ...fill, at: fill.filledAt },
        );
        const signedCash = fill.side === 'buy' ? -fill.qty * fill.price : fill.qty * fill.price;
        cashChange = roundMoney(cashChange + signedCash - fill.commission);
        after[fill.symbol] = {
          qty: effect.position.qty,
          avgPrice: effect.position.avgPrice,
          lastPrice: fill.price,
        };
      }
      if (await this.write(account.positions, after, cashChange, cost)) return undefined;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    throw new BrokerUnavailableError('paper account is too contended to book fills', true);
  }

  /** Creates the account with the starting cash, unless another writer already did. */
  private async create(): Promise<void> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...keys.paperAccount(this.accountId), cash: this.startingCash, version: 0, positions: {} },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  /** One conditional write of the positions in `after` (each as it was in `before`) and the cash change. */
  private async write(
    before: PaperAccount['positions'],
    after: Record<string, Position>,
    cashChange: number,
    cost: number | undefined,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#positions': 'positions' };
    const values: Record<string, unknown> = { ':cash': cashChange, ':one': 1 };
    const sets: string[] = [];
    const conditions = ['attribute_exists(pk)'];
    Object.entries(after).forEach(([symbol, position], i) => {
      names[`#s${i}`] = symbol;
      values[`:p${i}`] = position;
      sets.push(`#positions.#s${i} = :p${i}`);
      const was = before[symbol];
      if (was === undefined) conditions.push(`attribute_not_exists(#positions.#s${i})`);
      else {
        values[`:q${i}`] = was.qty;
        values[`:a${i}`] = was.avgPrice;
        conditions.push(`#positions.#s${i}.qty = :q${i}`, `#positions.#s${i}.avgPrice = :a${i}`);
      }
    });
    if (cost !== undefined) {
      values[':cost'] = cost;
      conditions.push('cash >= :cost');
    }
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.paperAccount(this.accountId),
          UpdateExpression: `SET ${sets.join(', ')} ADD cash :cash, version :one`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
