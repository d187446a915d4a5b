import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { addPinebridge } from '../../infra/pinebridge-app.ts';
import { cdkJson, fixture, ROOT, type Synthesized, synthesize } from './synth.ts';

const Reasons = z.record(z.string(), z.string());

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Every acknowledgement recorded in the construct tree under `root`. */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(Reasons.parse(entry.data)).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** Both packs' findings over `root`, as rule id and resource path. */
function findings(root: IConstruct): Array<{ id: string; path: string }> {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(root).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        id: violation.ruleName,
        path: resource.constructPath ?? '',
      })),
    ),
  );
}

/** A Schwab stack with extra accounts: the shape with the most resources and grants. */
const CONTEXT = { broker: 'schwab', config: fixture('accounts.json') };

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthesize({ context: CONTEXT, defaultValidation: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('are registered on the app and pass, with every finding acknowledged', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(synth.app);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('leave no error or warning in the synthesized stack', () => {
    const annotations = Annotations.fromStack(synth.stack);
    annotations.hasNoError('*', Match.anyValue());
    annotations.hasNoWarning('*', Match.anyValue());
  });

  it('acknowledge each finding with a reason of substance', () => {
    const all = acknowledgements(synth.app);
    expect(all.length).toBeGreaterThan(0);
    for (const acknowledgement of all) {
      expect(acknowledgement.id).toMatch(/^(AwsSolutions|Serverless)-/);
      expect(acknowledgement.reason.length, acknowledgement.id).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledge only findings that exist: without the acknowledgements, exactly these are found', () => {
    // Prepare: the same app, with acknowledge() recording nothing.
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
    const bare = new App({
      context: {
        ...cdkJson().context,
        ...CONTEXT,
        'aws:cdk:bundling-stacks': [],
      },
    });
    addPinebridge(bare, ROOT.pathname);

    // Act
    const found = findings(bare);

    // Assess
    const acknowledged = acknowledgements(synth.app);
    for (const finding of found) {
      const covered = acknowledged.some((a) => a.id === finding.id && finding.path.startsWith(a.path));
      expect(covered, `${finding.id} at ${finding.path}`).toBe(true);
    }
    for (const a of acknowledged) {
      const used = found.some((finding) => finding.id === a.id && finding.path.startsWith(a.path));
      expect(used, `${a.id} at ${a.path} acknowledges nothing`).toBe(true);
    }
  });

  it('list every acknowledged rule in docs/deploy.md', () => {
    const doc = readFileSync(new URL('docs/deploy.md', ROOT), 'utf8');
    const rules = new Set(acknowledgements(synth.app).map((a) => a.id.replace(/\[.*$/, '')));
    for (const rule of rules) expect(doc, rule).toContain(rule);
  });
});
