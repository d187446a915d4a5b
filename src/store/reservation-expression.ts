/**
 * The conditional UpdateItem that writes a reservation: every limit of the Reservation becomes a
 * condition on the book item as it is at write time (src/domain/risk.ts says which and why).
 */
import type { Reservation } from '../domain/risk.ts';
import { attr } from './book-item.ts';

/**
 * What sizing read of the symbol's part of a book that may be older than the write: the exact
 * position version and counters (target-position sizing trades the difference to them), or only the
 * side the position is on (the other modes size an opening order by the alert alone, and open only
 * from flat or the same side).
 */
export type SymbolSeen =
  | { kind: 'exact'; version: number; committed: number; reducing: number }
  | { kind: 'side'; notShort: boolean };

/**
 * The UpdateItem parts that write a reservation under its conditions. With `seen`, the write also
 * requires what sizing read of the symbol unchanged: the alert was sized against a book that may be
 * older than the write, and must be sized again if that moved.
 */
export function reservationExpression(r: Reservation, now: Date, seen?: SymbolSeen) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': now.toISOString(), ':qty': r.qty };
  const conditions: string[] = [];
  const sets = ['updatedAt = :now'];
  const adds: string[] = [];
  const states = r.allowedStates.map((state, i) => {
    values[`:s${i}`] = state;
    return `:s${i}`;
  });
  conditions.push(`tradingState IN (${states.join(', ')})`);
  if (r.rates.length > 0) values[':one'] = 1;
  r.rates.forEach((rate, i) => {
    names[`#rate${i}`] = attr.rate(rate.bucket);
    values[`:rmax${i}`] = rate.max;
    adds.push(`#rate${i} :one`);
    conditions.push(`(attribute_not_exists(#rate${i}) OR #rate${i} < :rmax${i})`);
  });
  if (r.alertTime !== undefined) {
    names['#lt'] = attr.lastAlert(r.symbol);
    values[':at'] = r.alertTime;
    sets.push('#lt = :at');
    conditions.push('(attribute_not_exists(#lt) OR #lt <= :at)');
  }
  if (r.effect === 'open') {
    names['#c'] = attr.committed(r.symbol);
    values[':symSet'] = new Set([r.symbol]);
    values[':notional'] = r.notional;
    adds.push('openSymbols :symSet', 'exposure :notional', 'pendingNotional :notional', '#c :qty');
    if (r.strategy !== undefined) {
      names['#se'] = attr.strategyExposure(r.strategy);
      adds.push('#se :notional');
      if (r.maxStrategyExposureBefore !== undefined) {
        values[':maxSe'] = r.maxStrategyExposureBefore;
        conditions.push('(attribute_not_exists(#se) OR #se <= :maxSe)');
      }
      if (r.cooldownUntil !== undefined) {
        names['#cool'] = attr.cooldown(r.strategy);
        values[':coolUntil'] = r.cooldownUntil;
        conditions.push('(attribute_not_exists(#cool) OR #cool <= :coolUntil)');
      }
    }
    if (r.maxCommittedBefore !== undefined) {
      values[':maxC'] = r.maxCommittedBefore;
      conditions.push('(attribute_not_exists(#c) OR #c <= :maxC)');
    }
    if (r.maxOpenPositions !== undefined) {
      values[':maxOpen'] = r.maxOpenPositions;
      values[':sym'] = r.symbol;
      conditions.push(
        '(attribute_not_exists(openSymbols) OR contains(openSymbols, :sym) OR size(openSymbols) < :maxOpen)',
      );
    }
    if (r.maxExposureBefore !== undefined) {
      values[':maxExp'] = r.maxExposureBefore;
      conditions.push('(attribute_not_exists(exposure) OR exposure <= :maxExp)');
    }
    if (r.maxPendingNotionalBefore !== undefined) {
      values[':maxPending'] = r.maxPendingNotionalBefore;
      conditions.push('(attribute_not_exists(pendingNotional) OR pendingNotional <= :maxPending)');
    }
    if (r.minDayRealizedPnl !== undefined) {
      values[':today'] = r.today;
      values[':minPnl'] = r.minDayRealizedPnl;
      conditions.push('(attribute_not_exists(pnlDay) OR pnlDay <> :today OR dayRealizedPnl > :minPnl)');
    }
  } else {
    if (r.dayTrade !== undefined) {
      names['#dt'] = attr.dayTrades(r.dayTrade.day);
      values[':one'] = 1;
      adds.push('#dt :one');
      if (r.dayTrade.maxBefore !== undefined) {
        values[':dtMax'] = r.dayTrade.maxBefore;
        conditions.push('(attribute_not_exists(#dt) OR #dt < :dtMax)');
      }
    }
    names['#r'] = attr.reducing(r.symbol);
    names['#p'] = attr.position(r.symbol);
    values[':held'] = r.heldQty ?? 0;
    values[':maxR'] = r.maxReducingBefore ?? 0;
    adds.push('#r :qty');
    conditions.push('#p.qty = :held', '(attribute_not_exists(#r) OR #r <= :maxR)');
  }
  if (seen !== undefined) conditions.push(...unchangedSince(r.symbol, seen, names, values));
  return {
    UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/** Conditions that what sizing read of the symbol is still as `seen`. */
function unchangedSince(
  symbol: string,
  seen: SymbolSeen,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string[] {
  names['#sp'] = attr.position(symbol);
  if (seen.kind === 'side') {
    values[':flat'] = 0;
    const side = seen.notShort ? '#sp.qty >= :flat' : '#sp.qty <= :flat';
    return [`(attribute_not_exists(#sp) OR ${side})`];
  }
  names['#sc'] = attr.committed(symbol);
  names['#sr'] = attr.reducing(symbol);
  const equals = (name: string, value: string, n: number) => {
    values[value] = n;
    return n === 0 ? `(attribute_not_exists(${name}) OR ${name} = ${value})` : `${name} = ${value}`;
  };
  const version =
    seen.version === 0 ? 'attribute_not_exists(#sp.ver)' : equals('#sp.ver', ':sver', seen.version);
  return [version, equals('#sc', ':sc', seen.committed), equals('#sr', ':sr', seen.reducing)];
}
