/**
 * Counts the time a reader actively works on an image: seconds in which the
 * pointer moved, a key was pressed or the wheel turned, with the window
 * visible, each counted while the last input is under `idleSeconds` old. The
 * tally is reported every `flushSeconds` and when the image changes.
 */
export class ActiveTimeTracker {
  #imageId: number | null = null;
  #lastInput = 0;
  #lastTick = 0;
  #unreported = 0;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #onInput = (): void => {
    this.#lastInput = performance.now();
  };

  constructor(
    readonly report: (imageId: number, seconds: number) => void,
    readonly idleSeconds = 30,
    readonly flushSeconds = 15,
  ) {
    for (const type of ['pointermove', 'pointerdown', 'keydown', 'wheel'] as const) {
      window.addEventListener(type, this.#onInput, { passive: true });
    }
    this.#lastTick = performance.now();
    let sinceFlush = 0;
    this.#timer = setInterval(() => {
      this.#tick();
      sinceFlush += 1;
      if (sinceFlush >= this.flushSeconds) {
        sinceFlush = 0;
        this.flush();
      }
    }, 1000);
  }

  /** Reports what the previous image collected, then counts for this one. */
  setImage(imageId: number | null): void {
    this.#tick();
    this.flush();
    this.#imageId = imageId;
  }

  flush(): void {
    if (this.#imageId !== null && this.#unreported >= 0.5) {
      this.report(this.#imageId, Math.min(600, Math.round(this.#unreported * 10) / 10));
    }
    this.#unreported = 0;
  }

  destroy(): void {
    this.setImage(null);
    clearInterval(this.#timer);
    for (const type of ['pointermove', 'pointerdown', 'keydown', 'wheel'] as const) {
      window.removeEventListener(type, this.#onInput);
    }
  }

  #tick(): void {
    const now = performance.now();
    const elapsed = (now - this.#lastTick) / 1000;
    this.#lastTick = now;
    const active = document.visibilityState === 'visible' && (now - this.#lastInput) / 1000 < this.idleSeconds;
    if (active && this.#imageId !== null) this.#unreported += Math.min(elapsed, 2);
  }
}
