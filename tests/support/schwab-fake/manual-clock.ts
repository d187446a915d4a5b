/** A clock tests move by hand, shared by the adapter and the fake so token lifetimes agree. */
export class ManualClock {
  private at: number;

  constructor(start: Date | string) {
    this.at = new Date(start).getTime();
  }

  /** The current instant (a new Date each time). */
  readonly now = (): Date => new Date(this.at);

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.at += ms;
  }
}
