import { describe, expect, it } from 'vitest';
import {
  type Admission,
  CircuitBreaker,
  type CircuitChange,
  type CircuitPermit,
  logCircuitChanges,
} from '../../src/app/circuit-breaker.ts';
import { jsonLogger } from '../../src/app/logger.ts';

const SETTINGS = { failureThreshold: 3, openMs: 30_000 };

/** A breaker over a clock the test moves, with every state change it announced. */
function breaker(settings = SETTINGS) {
  let at = 1_000_000;
  const changes: CircuitChange[] = [];
  const circuit = new CircuitBreaker(
    settings,
    () => at,
    (change) => changes.push(change),
  );
  return {
    circuit,
    changes,
    advance: (ms: number) => {
      at += ms;
    },
  };
}

/** The permit of an admission the test expects to be granted. */
function permitOf(admission: Admission): CircuitPermit {
  if (!admission.admitted) return expect.unreachable(`admission refused while ${admission.state}`);
  return admission.permit;
}

/** Admits and fails `count` submissions in a row. */
function failInARow(circuit: CircuitBreaker, count: number): void {
  for (let i = 0; i < count; i += 1) circuit.report(permitOf(circuit.admit()), 'unavailable');
}

describe('CircuitBreaker when closed', () => {
  it('starts closed and admits submissions that are not probes', () => {
    // Prepare
    const { circuit } = breaker();

    // Act
    const admission = circuit.admit();

    // Assess
    expect(circuit.state()).toBe('CLOSED');
    expect(admission).toEqual({ admitted: true, permit: expect.objectContaining({ probe: false }) });
  });

  it('stays closed while consecutive failures are below the threshold', () => {
    // Prepare
    const { circuit, changes } = breaker();

    // Act
    failInARow(circuit, 2);

    // Assess
    expect(circuit.state()).toBe('CLOSED');
    expect(circuit.admit().admitted).toBe(true);
    expect(changes).toEqual([]);
  });

  it('opens after failureThreshold consecutive failures and refuses the next submission', () => {
    // Prepare
    const { circuit, changes } = breaker();

    // Act
    failInARow(circuit, 3);
    const refused = circuit.admit();

    // Assess
    expect(circuit.state()).toBe('OPEN');
    expect(refused).toEqual({ admitted: false, state: 'OPEN', retryInMs: 30_000 });
    expect(changes).toEqual([{ from: 'CLOSED', to: 'OPEN', failures: 3 }]);
  });

  it('counts an unknown outcome as a failure', () => {
    // Prepare
    const { circuit } = breaker();

    // Act
    for (let i = 0; i < 3; i += 1) circuit.report(permitOf(circuit.admit()), 'unknown');

    // Assess
    expect(circuit.state()).toBe('OPEN');
  });

  it.each(['reported', 'rejected'] as const)('starts the count again after a %s outcome', (outcome) => {
    // Prepare
    const { circuit } = breaker();
    failInARow(circuit, 2);

    // Act
    circuit.report(permitOf(circuit.admit()), outcome);
    failInARow(circuit, 2);

    // Assess
    expect(circuit.state()).toBe('CLOSED');
  });

  it('opens on the first failure when the threshold is 1', () => {
    // Prepare
    const { circuit } = breaker({ failureThreshold: 1, openMs: 1000 });

    // Act
    failInARow(circuit, 1);

    // Assess
    expect(circuit.state()).toBe('OPEN');
  });
});

describe('CircuitBreaker when open', () => {
  it('refuses until openMs have passed, saying how long is left', () => {
    // Prepare
    const { circuit, advance } = breaker();
    failInARow(circuit, 3);

    // Act
    advance(29_999);
    const refused = circuit.admit();

    // Assess
    expect(refused).toEqual({ admitted: false, state: 'OPEN', retryInMs: 1 });
    expect(circuit.state()).toBe('OPEN');
  });

  it('turns half-open once openMs have passed', () => {
    // Prepare
    const { circuit, changes, advance } = breaker();
    failInARow(circuit, 3);

    // Act
    advance(30_000);

    // Assess
    expect(circuit.state()).toBe('HALF_OPEN');
    expect(changes.map((change) => change.to)).toEqual(['OPEN', 'HALF_OPEN']);
  });

  it('ignores the late outcomes of submissions admitted before it opened', () => {
    // Prepare: four submissions go out together; three fail and open the circuit
    const { circuit, advance } = breaker();
    const failing = [1, 2, 3].map(() => permitOf(circuit.admit()));
    const late = permitOf(circuit.admit());
    for (const permit of failing) circuit.report(permit, 'unavailable');
    advance(30_000);
    const probe = permitOf(circuit.admit());

    // Act: the fourth succeeds late, while the probe is out
    circuit.report(late, 'reported');

    // Assess: only the probe decides
    expect(circuit.state()).toBe('HALF_OPEN');
    expect(probe.probe).toBe(true);
  });
});

describe('CircuitBreaker when half-open', () => {
  /** A breaker that has opened and waited out openMs. */
  function halfOpen() {
    const made = breaker();
    failInARow(made.circuit, 3);
    made.advance(30_000);
    return made;
  }

  it('admits exactly one probe and refuses others while it runs', () => {
    // Prepare
    const { circuit } = halfOpen();

    // Act
    const first = circuit.admit();
    const second = circuit.admit();

    // Assess
    expect(first).toEqual({ admitted: true, permit: expect.objectContaining({ probe: true }) });
    expect(second).toEqual({ admitted: false, state: 'HALF_OPEN', retryInMs: 30_000 });
  });

  it('closes when the probe succeeds, and admits everyone again', () => {
    // Prepare
    const { circuit, changes } = halfOpen();
    const probe = permitOf(circuit.admit());

    // Act
    circuit.report(probe, 'reported');

    // Assess
    expect(circuit.state()).toBe('CLOSED');
    expect(circuit.admit().admitted).toBe(true);
    expect(circuit.admit().admitted).toBe(true);
    expect(changes.at(-1)).toEqual({ from: 'HALF_OPEN', to: 'CLOSED', failures: 3 });
  });

  it('closes when the broker rejects the probe: the broker answered', () => {
    // Prepare
    const { circuit } = halfOpen();

    // Act
    circuit.report(permitOf(circuit.admit()), 'rejected');

    // Assess
    expect(circuit.state()).toBe('CLOSED');
  });

  it('opens again for another openMs when the probe fails', () => {
    // Prepare
    const { circuit, changes, advance } = halfOpen();
    const probe = permitOf(circuit.admit());

    // Act
    circuit.report(probe, 'unknown');
    advance(29_999);
    const stillOpen = circuit.state();
    advance(1);

    // Assess
    expect(stillOpen).toBe('OPEN');
    expect(circuit.state()).toBe('HALF_OPEN');
    expect(changes.map((change) => change.to)).toEqual(['OPEN', 'HALF_OPEN', 'OPEN', 'HALF_OPEN']);
  });

  it('counts failures from zero after closing', () => {
    // Prepare
    const { circuit } = halfOpen();
    circuit.report(permitOf(circuit.admit()), 'reported');

    // Act
    failInARow(circuit, 2);

    // Assess
    expect(circuit.state()).toBe('CLOSED');
  });

  it('lets the next alert probe when a probe is released without an outcome', () => {
    // Prepare: risk denied the probe's order, so it never reached the broker
    const { circuit } = halfOpen();
    const probe = permitOf(circuit.admit());

    // Act
    circuit.release(probe);
    const next = circuit.admit();

    // Assess
    expect(circuit.state()).toBe('HALF_OPEN');
    expect(next).toEqual({ admitted: true, permit: expect.objectContaining({ probe: true }) });
  });

  it('changes nothing when a permit is released after its outcome was reported', () => {
    // Prepare
    const { circuit } = halfOpen();
    const probe = permitOf(circuit.admit());
    circuit.report(probe, 'reported');

    // Act
    circuit.release(probe);

    // Assess
    expect(circuit.state()).toBe('CLOSED');
  });

  it('presumes a probe that never reports lost after openMs, and admits a new one', () => {
    // Prepare
    const { circuit, advance } = halfOpen();
    const lost = permitOf(circuit.admit());
    advance(30_000);

    // Act
    const next = permitOf(circuit.admit());
    circuit.report(lost, 'reported');
    const afterLostAnswer = circuit.state();
    circuit.report(next, 'reported');

    // Assess: the lost probe's late answer does not decide; the new probe does
    expect(afterLostAnswer).toBe('HALF_OPEN');
    expect(circuit.state()).toBe('CLOSED');
  });
});

describe('logCircuitChanges', () => {
  it('warns when the circuit opens and informs when it half-opens or closes, naming the account', () => {
    // Prepare
    const lines: string[] = [];
    const listener = logCircuitChanges(
      jsonLogger('debug', (line) => lines.push(line)),
      'acct-7',
    );

    // Act
    listener({ from: 'CLOSED', to: 'OPEN', failures: 5 });
    listener({ from: 'OPEN', to: 'HALF_OPEN', failures: 5 });
    listener({ from: 'HALF_OPEN', to: 'CLOSED', failures: 5 });

    // Assess
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries).toEqual([
      expect.objectContaining({ level: 'warn', accountId: 'acct-7', from: 'CLOSED', circuit: 'OPEN' }),
      expect.objectContaining({ level: 'info', accountId: 'acct-7', circuit: 'HALF_OPEN' }),
      expect.objectContaining({ level: 'info', accountId: 'acct-7', circuit: 'CLOSED' }),
    ]);
  });
});
