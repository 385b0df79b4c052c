// The emulator's clock: real time plus an offset that tests move forward to expire secrets and tokens.
export class Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
  advance(seconds: number): void {
    if (!Number.isFinite(seconds)) throw new Error("advanceClock needs a finite number of seconds");
    this.offsetMs += seconds * 1000;
  }
}
