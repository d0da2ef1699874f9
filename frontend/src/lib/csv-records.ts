/**
 * Counts the records of a CSV text as it streams in, chunk by chunk: a line
 * break ends a record only outside quotes (a note may hold several lines).
 * An escaped quote (`""`) toggles twice, so it leaves the state as it was.
 */
export class CsvRecordCounter {
  private inQuotes = false;
  private pending = false;
  private lastWasCr = false;
  /** Records ended so far, the header included. */
  private ended = 0;

  push(text: string): void {
    for (const ch of text) {
      if (ch === '"') {
        this.inQuotes = !this.inQuotes;
        this.pending = true;
        this.lastWasCr = false;
      } else if ((ch === '\n' || ch === '\r') && !this.inQuotes) {
        // \r\n is one break, not two.
        if (!(ch === '\n' && this.lastWasCr)) {
          if (this.pending) this.ended += 1;
          this.pending = false;
        }
        this.lastWasCr = ch === '\r';
      } else {
        this.pending = true;
        this.lastWasCr = false;
      }
    }
  }

  /** Data rows so far (the header row not counted), including a last row without its line break. */
  get rows(): number {
    return Math.max(0, this.ended + (this.pending ? 1 : 0) - 1);
  }
}
