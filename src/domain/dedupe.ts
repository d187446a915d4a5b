/**
 * De-duplication as a log. Every delivery of a body appends one entry to the body's claim item, in
 * the order DynamoDB applies the appends, and learns from the log up to its own entry whether it
 * holds the claim or is a duplicate. So a duplicate is decided and recorded by the same write.
 *
 * Invariants:
 * - a delivery claims the body when nobody holds it, or when the holder's claim is at least the
 *   window old; a release gives the claim up only when its holder releases it;
 * - the outcome of an entry depends only on the entries before it, so every reader of the log
 *   agrees on it, whenever it reads;
 * - a duplicate never changes who holds the claim, and a claim forgets every entry before it. So
 *   dropping every entry except the last holder's changes no later outcome (`compaction`).
 */

/** One entry of a claim log. */
export interface ClaimEntry {
  /** The delivery's alert id. */
  id: string;
  /** When it arrived, in epoch milliseconds. */
  at: number;
  /** Where it came from. */
  ip?: string | undefined;
  /** A release of the claim `id` holds, not a delivery. */
  rel?: true | undefined;
  /** The delivery writes its own delivery record (an alert that went to another or several accounts). */
  rec?: true | undefined;
}

/** What one delivery entry of the log came to. */
export interface ClaimOutcome {
  entry: ClaimEntry;
  index: number;
  claimed: boolean;
  /** The delivery that held the claim when this one arrived (itself when it claimed). */
  holder: string;
}

/** The log replayed: each delivery entry's outcome, and the entry holding the claim at its end. */
interface Replay {
  outcomes: ClaimOutcome[];
  /** The index of the last holder's entry; -1 when nobody holds the claim. */
  holderIndex: number;
}

function replay(entries: readonly ClaimEntry[], windowMs: number): Replay {
  const outcomes: ClaimOutcome[] = [];
  let holderIndex = -1;
  entries.forEach((entry, index) => {
    const holder = entries[holderIndex];
    if (entry.rel) {
      if (holder?.id === entry.id) holderIndex = -1;
      return;
    }
    const claimed = holder === undefined || entry.at >= holder.at + windowMs;
    if (claimed) holderIndex = index;
    outcomes.push({ entry, index, claimed, holder: claimed ? entry.id : (holder?.id ?? entry.id) });
  });
  return { outcomes, holderIndex };
}

/** The outcome of every delivery entry, in log order (releases are left out). */
export function claimOutcomes(entries: readonly ClaimEntry[], windowMs: number): ClaimOutcome[] {
  return replay(entries, windowMs).outcomes;
}

/** The outcome of the newest delivery entry of `alertId`, or undefined when the log has none. */
export function outcomeOf(
  entries: readonly ClaimEntry[],
  alertId: string,
  windowMs: number,
): ClaimOutcome | undefined {
  return claimOutcomes(entries, windowMs).findLast((outcome) => outcome.entry.id === alertId);
}

/** The duplicates among the log's entries that are recorded only in the log. */
export function unrecordedDuplicates(outcomes: readonly ClaimOutcome[]): ClaimOutcome[] {
  return outcomes.filter((outcome) => !outcome.claimed && !outcome.entry.rec);
}

/** What a compaction of the log removes, and the duplicates to record elsewhere first. */
export interface Compaction {
  /** Indexes of the entries to remove. */
  remove: number[];
  /** Duplicates among them that only the log records. */
  archive: ClaimOutcome[];
}

/**
 * Plans the removal of every entry except the one of the delivery that holds the claim at the end
 * of the log (none, when the last holder released it).
 */
export function compaction(entries: readonly ClaimEntry[], windowMs: number): Compaction {
  const { outcomes, holderIndex } = replay(entries, windowMs);
  return {
    remove: entries.map((_entry, index) => index).filter((index) => index !== holderIndex),
    archive: unrecordedDuplicates(outcomes),
  };
}
