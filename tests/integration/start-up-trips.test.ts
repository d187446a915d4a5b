/**
 * What preparing the accounts costs at start-up (every Lambda cold start runs it): a book that already
 * holds the broker's figures is read once and left alone.
 */
import { describe, expect, it } from 'vitest';
import { prepareAccounts } from '../../src/app/boot.ts';
import { harnessesPerTest } from '../support/app-harness.ts';
import { recordCommands } from '../support/record-commands.ts';

describe('preparing the accounts at start-up', () => {
  const start = harnessesPerTest();

  it('reads a book that holds the broker figures once and writes nothing', async () => {
    // Prepare
    const h = await start();
    await prepareAccounts(h.deps, h.config);
    const sent = recordCommands(h);

    // Act
    await prepareAccounts(h.deps, h.config);

    // Assess
    expect(sent).toEqual(['GetItemCommand']);
  });

  it("reads the broker's figures into a book that has none", async () => {
    // Prepare
    const h = await start();

    // Act
    await prepareAccounts(h.deps, h.config);

    // Assess
    expect((await h.deps.book.get()).broker).toMatchObject({ equity: 100_000, cash: 100_000 });
  });
});
