import { describe, expect, it } from 'vitest';
import { type ClaimEntry, claimOutcomes, compaction, outcomeOf } from '../../src/domain/dedupe.ts';

const WINDOW = 300_000;
const delivery = (id: string, at: number, extra: Partial<ClaimEntry> = {}): ClaimEntry => ({
  id,
  at,
  ...extra,
});
const release = (id: string, at: number): ClaimEntry => ({ id, at, rel: true });

describe('the claim log', () => {
  it('gives the claim to the first delivery and makes the others inside the window its duplicates', () => {
    // Prepare
    const log = [delivery('a', 0), delivery('b', 5_000), delivery('c', 299_999)];

    // Act
    const outcomes = claimOutcomes(log, WINDOW);

    // Assess
    expect(outcomes.map(({ entry, claimed, holder }) => [entry.id, claimed, holder])).toEqual([
      ['a', true, 'a'],
      ['b', false, 'a'],
      ['c', false, 'a'],
    ]);
  });

  it('lets a delivery claim again once the holder is a window old, whatever came between', () => {
    // Prepare
    const log = [delivery('a', 0), delivery('b', 200_000), delivery('c', 300_000), delivery('d', 301_000)];

    // Act
    const outcomes = claimOutcomes(log, WINDOW);

    // Assess
    expect(outcomes.map(({ claimed, holder }) => [claimed, holder])).toEqual([
      [true, 'a'],
      [false, 'a'],
      [true, 'c'],
      [false, 'c'],
    ]);
  });

  it('frees the claim only when its holder releases it', () => {
    // Prepare
    const log = [
      delivery('a', 0),
      release('b', 1_000),
      delivery('c', 2_000),
      release('a', 3_000),
      delivery('d', 4_000),
    ];

    // Act
    const outcomes = claimOutcomes(log, WINDOW);

    // Assess
    expect(outcomes.map(({ entry, claimed, holder }) => [entry.id, claimed, holder])).toEqual([
      ['a', true, 'a'],
      ['c', false, 'a'],
      ['d', true, 'd'],
    ]);
  });

  it("answers a delivery's newest entry, and nothing for one that is not in the log", () => {
    // Prepare
    const log = [delivery('a', 0), delivery('b', 1_000)];

    // Act
    const found = outcomeOf(log, 'b', WINDOW);
    const missing = outcomeOf(log, 'z', WINDOW);

    // Assess
    expect(found).toMatchObject({ claimed: false, holder: 'a', index: 1 });
    expect(missing).toBeUndefined();
  });

  it('compacts to the holder alone and archives only the duplicates no record of their own shows', () => {
    // Prepare
    const log = [
      delivery('a', 0),
      delivery('b', 1_000),
      delivery('f', 2_000, { rec: true }),
      delivery('c', 400_000),
      delivery('d', 401_000),
    ];

    // Act
    const plan = compaction(log, WINDOW);

    // Assess
    expect(plan.remove).toEqual([0, 1, 2, 4]);
    expect(plan.archive.map(({ entry, holder }) => [entry.id, holder])).toEqual([
      ['b', 'a'],
      ['d', 'c'],
    ]);
  });

  it('removes every entry when the last holder released the claim', () => {
    // Prepare
    const log = [delivery('a', 0), delivery('b', 1_000), release('a', 2_000)];

    // Act
    const plan = compaction(log, WINDOW);

    // Assess
    expect(plan.remove).toEqual([0, 1, 2]);
  });

  it('changes no later outcome by compacting, over many random logs', () => {
    // Prepare
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randomLog = (length: number): ClaimEntry[] => {
      const log: ClaimEntry[] = [];
      let at = 0;
      for (let i = 0; i < length; i += 1) {
        at += Math.floor(random() * 120_000);
        const earlier = log[Math.floor(random() * log.length)];
        log.push(earlier !== undefined && random() < 0.2 ? release(earlier.id, at) : delivery(`d${i}`, at));
      }
      return log;
    };

    for (let round = 0; round < 1_000; round += 1) {
      const log = randomLog(2 + Math.floor(random() * 40));
      const split = 1 + Math.floor(random() * (log.length - 1));
      const before = log.slice(0, split);
      const after = log.slice(split);
      const removed = compaction(before, WINDOW).remove;
      const compacted = before.filter((_entry, index) => !removed.includes(index));
      const laterIds = new Set(after.map((entry) => entry.id));
      const later = (outcomes: ReturnType<typeof claimOutcomes>, from: number) =>
        outcomes
          .filter((outcome) => outcome.index >= from && laterIds.has(outcome.entry.id))
          .map(({ entry, claimed, holder }) => [entry.id, claimed, holder]);

      // Act
      const whole = later(claimOutcomes(log, WINDOW), before.length);
      const shortened = later(claimOutcomes([...compacted, ...after], WINDOW), compacted.length);

      // Assess
      expect(shortened).toEqual(whole);
    }
  });
});
