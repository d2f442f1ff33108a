// A port of the elastic-tabstop writer docker uses for tables (cli/command/formatter/tabwriter, a
// fork of Go's text/tabwriter measuring cells with go-runewidth). Docker's tables are
// `NewWriter(out, minwidth=10, tabwidth=1, padding=3, ' ', 0)`; `version` uses (20, 1, 1).
// Porting the algorithm (column *blocks*, flush on single-cell lines) rather than "pad every
// column to its widest cell" matters when lines have different numbers of cells.

interface Cell {
  text: string;
  width: number;
  htab: boolean; // terminated by '\t' (as opposed to '\v')
}

/** Display width like go-runewidth: East Asian wide/fullwidth = 2, combining marks = 0. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (/\p{Mn}|\p{Me}|\p{Cf}/u.test(ch)) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1f64f) ||
      (c >= 0x1f900 && c <= 0x1f9ff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

export class TabWriter {
  private lines: Cell[][] = [[]];
  private cell = '';
  private widths: number[] = [];
  private out = '';

  constructor(
    private readonly minwidth: number,
    private readonly padding: number,
  ) {}

  write(text: string): void {
    for (const ch of text) {
      if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
        const ncells = this.terminateCell(ch === '\t');
        if (ch === '\n' || ch === '\f') {
          this.lines.push([]);
          // A line with a single cell does not affect the columns of later lines: flush.
          if (ch === '\f' || ncells === 1) this.flushLines();
        }
      } else {
        this.cell += ch;
      }
    }
  }

  /** Format everything buffered and return the output produced so far. */
  flush(): string {
    if (this.cell.length > 0) this.terminateCell(false);
    this.flushLines();
    const out = this.out;
    this.out = '';
    return out;
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1] as Cell[];
    line.push({ text: this.cell, width: displayWidth(this.cell), htab });
    this.cell = '';
    return line.length;
  }

  private flushLines(): void {
    this.format(0, this.lines.length);
    this.lines = [[]];
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= (this.lines[row] as Cell[]).length - 1) continue;
      // A cell exists in this column: print the lines above, then size this column block.
      this.writeLines(line0, row);
      line0 = row;
      let width = this.minwidth;
      for (; row < line1; row++) {
        const line = this.lines[row] as Cell[];
        if (column >= line.length - 1) break;
        width = Math.max(width, (line[column] as Cell).width + this.padding);
      }
      this.widths.push(width);
      this.format(line0, row);
      this.widths.pop();
      line0 = row;
    }
    this.writeLines(line0, line1);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i] as Cell[];
      line.forEach((c, j) => {
        this.out += c.text;
        const w = this.widths[j];
        if (j < this.widths.length && w !== undefined) this.out += ' '.repeat(Math.max(0, w - c.width));
      });
      // The last buffered line is still open: it gets no newline.
      if (i + 1 < this.lines.length) this.out += '\n';
    }
  }
}

/** Convenience: run `text` through a fresh writer. */
export function tabwrite(text: string, minwidth = 10, padding = 3): string {
  const tw = new TabWriter(minwidth, padding);
  tw.write(text);
  return tw.flush();
}
