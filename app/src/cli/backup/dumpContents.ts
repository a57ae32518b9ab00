/** Where a MySQL/MariaDB dump's snapshot stands in the binary log: replaying from here brings it forward. */
export interface BinaryLogPosition {
  file: string;
  position: number;
}

export interface DumpContents {
  /** Rows per table, as the dump would load them; a table it creates but fills with nothing counts 0. */
  rows: Record<string, number>;
  /** From the commented-out CHANGE MASTER/REPLICATION SOURCE line that --master-data=2/--source-data=2 write. */
  binaryLog?: BinaryLogPosition;
}

const CREATE_TABLE = /^CREATE TABLE (?:IF NOT EXISTS )?(?:[`"]?\w+[`"]?\.)?[`"]?(\w+)[`"]? \(/;
const MYSQL_INSERT = /^INSERT INTO `(\w+)` VALUES ?/;
const POSTGRES_COPY = /^COPY (?:"?\w+"?\.)?"?(\w+)"? (?:\([^)]*\) )?FROM stdin;$/;
const POSTGRES_COPY_END = '\\.';
const BINARY_LOG_LINE = /^-- CHANGE (?:MASTER|REPLICATION SOURCE) TO (?:MASTER|SOURCE)_LOG_FILE='([^']+)', (?:MASTER|SOURCE)_LOG_POS=(\d+)/;

/**
 * Counts the rows of one extended INSERT's VALUES list, which mysqldump may spread over several lines
 * (MariaDB's puts each row on its own): the tuples opened at the top level, up to the closing
 * semicolon. Strings are in single quotes with backslash escapes, so brackets inside them are skipped.
 */
export class InsertedRowCounter {
  rows = 0;
  finished = false;
  private depth = 0;
  private inString = false;

  feed(text: string): void {
    for (let index = 0; index < text.length && !this.finished; index += 1) {
      const char = text[index];
      if (this.inString) {
        if (char === '\\') index += 1;
        else if (char === "'") this.inString = false;
      } else if (char === "'") {
        this.inString = true;
      } else if (char === '(') {
        if (this.depth === 0) this.rows += 1;
        this.depth += 1;
      } else if (char === ')') {
        this.depth -= 1;
      } else if (char === ';' && this.depth === 0) {
        this.finished = true;
      }
    }
  }
}

/** Counts what a mysqldump or pg_dump dump holds, fed one line at a time (the dump is never held whole). */
export class DumpContentsReader {
  private readonly rows: Record<string, number> = {};
  private copying: string | undefined;
  private inserting: { table: string; counter: InsertedRowCounter } | undefined;
  private binaryLog: BinaryLogPosition | undefined;

  line(line: string): void {
    if (this.inserting) {
      this.countInserted(line);
      return;
    }
    if (this.copying !== undefined) {
      if (line === POSTGRES_COPY_END) this.copying = undefined;
      else this.rows[this.copying] += 1;
      return;
    }
    const created = CREATE_TABLE.exec(line)?.[1];
    if (created) this.rows[created] ??= 0;
    const inserted = MYSQL_INSERT.exec(line);
    if (inserted) {
      this.rows[inserted[1]] ??= 0;
      this.inserting = { table: inserted[1], counter: new InsertedRowCounter() };
      this.countInserted(line.slice(inserted[0].length));
      return;
    }
    const copied = POSTGRES_COPY.exec(line)?.[1];
    if (copied) {
      this.rows[copied] ??= 0;
      this.copying = copied;
      return;
    }
    const position = BINARY_LOG_LINE.exec(line);
    if (position) this.binaryLog = { file: position[1], position: Number(position[2]) };
  }

  private countInserted(text: string): void {
    const { table, counter } = this.inserting as { table: string; counter: InsertedRowCounter };
    const before = counter.rows;
    counter.feed(text);
    this.rows[table] += counter.rows - before;
    if (counter.finished) this.inserting = undefined;
  }

  tables(): string[] {
    return Object.keys(this.rows);
  }

  contents(): DumpContents {
    return { rows: { ...this.rows }, ...(this.binaryLog ? { binaryLog: this.binaryLog } : {}) };
  }
}
