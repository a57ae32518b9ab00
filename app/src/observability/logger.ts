import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import Transport from 'winston-transport';
import { perTurnBatch } from './perTurnBatch';
import type { ActiveTraceIds } from '../tracing';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  /** Folder for todobox.log; omitted, the log goes to stdout only. */
  dir?: string;
  /**
   * Set in cluster workers: lines go to the primary process, which alone writes (and rotates)
   * todobox.log, so several processes never rotate the same file. Lines of one turn of the event
   * loop travel together.
   */
  sendFileLinesTo?: (lines: Array<Record<string, unknown>>) => void;
  /** Bytes before the file rotates; the guide's RotatingFileHandler uses 10 MB. */
  maxSize?: number;
  maxFiles?: number;
  silent?: boolean;
  /** With tracing on: the span a line is written in, whose trace and span ids the line then carries. */
  activeTraceIds?: ActiveTraceIds;
}

export const LOG_FILE_NAME = 'todobox.log';
/** Where winston's formats leave the finished line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/**
 * todobox.log, rotated by size by winston's File transport, which is handed the lines of one turn
 * of the event loop as one entry: it is a stream of its own, costlier per line than the line.
 */
class RotatingFileTransport extends Transport {
  private readonly file: InstanceType<typeof winston.transports.File>;
  private readonly append: ReturnType<typeof perTurnBatch<string>>;
  constructor(options: LoggerOptions) {
    super();
    fs.mkdirSync(options.dir!, { recursive: true });
    this.file = new winston.transports.File({
      filename: path.join(options.dir!, LOG_FILE_NAME),
      maxsize: options.maxSize ?? 10 * 1024 * 1024,
      maxFiles: options.maxFiles ?? 10,
      tailable: true,
    });
    this.append = perTurnBatch((lines) => this.file.log!({ [MESSAGE]: lines.join(os.EOL) }, () => {}));
    this.file.on('logged', (batch) => this.emit('logged', batch));
  }
  log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.append(String(info[MESSAGE]));
    next();
  }
  close(): void {
    this.append.flush();
    this.file.close?.();
  }
}

class ForwardingTransport extends Transport {
  private readonly send: (line: Record<string, unknown>) => void;
  constructor(send: (lines: Array<Record<string, unknown>>) => void) {
    super();
    this.send = perTurnBatch(send);
  }
  log(info: Record<string, unknown>, next: () => void): void {
    this.send({ ...info });
    next();
  }
}

let stdoutLines: ((line: string) => void) | undefined;

/**
 * Lines to stdout. Writing to a pipe or a file (journald, a container's log) is a system call per
 * write, made while the request waits; the lines of one turn of the event loop share one.
 */
class StdoutTransport extends Transport {
  log(info: Record<string | symbol, unknown>, next: () => void): void {
    stdoutLines ??= perTurnBatch((lines) => process.stdout.write(lines.join('')));
    stdoutLines(`${String(info[MESSAGE])}\n`);
    next();
  }
}

/** The primary's writer for lines its workers forward: file only, as each worker printed its own to stdout. */
export function createForwardedLineWriter(options: LoggerOptions): (line: Record<string, unknown>) => void {
  if (!options.dir) return () => {};
  const writer = winston.createLogger({ level: 'silly', format: winston.format.json(), transports: [new RotatingFileTransport(options)] });
  return (line) => writer.log({ ...line, level: String(line.level ?? 'info'), message: String(line.message ?? '') });
}

/** Errors passed as metadata (`{ error }`) would otherwise serialize to `{}`. */
const serializeErrors = winston.format((info) => {
  for (const key in info) {
    const value = info[key];
    if (value instanceof Error) info[key] = { name: value.name, message: value.message, stack: value.stack };
  }
  return info;
});

const safeJson = winston.format.json();

/**
 * One JSON line per entry: timestamp, level and message first, then the fields in the order they
 * were given. winston's json format builds a new serializer and sorts the keys for every line;
 * JSON.stringify does neither, and winston's is kept for the rare line JSON.stringify refuses (a
 * circular structure, a BigInt).
 */
const jsonLine = winston.format((info) => {
  try {
    const { timestamp, level, message, ...fields } = info;
    info[MESSAGE] = JSON.stringify({ timestamp, level, message, ...fields });
    return info;
  } catch {
    return safeJson.transform(info) as typeof info;
  }
});

/** traceId and spanId of the span a line is written in, so a trace's log lines can be found from the trace. */
const traceFields = (activeTraceIds: ActiveTraceIds) =>
  winston.format((info) => {
    const trace = activeTraceIds();
    if (trace) {
      info.traceId = trace.traceId;
      info.spanId = trace.spanId;
    }
    return info;
  })();

export function createLogger(options: LoggerOptions): Logger {
  const format = winston.format.combine(
    ...(options.activeTraceIds ? [traceFields(options.activeTraceIds)] : []),
    serializeErrors(),
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    jsonLine(),
  );
  const transports: winston.transport[] = [new StdoutTransport()];
  if (options.sendFileLinesTo) {
    transports.push(new ForwardingTransport(options.sendFileLinesTo));
  } else if (options.dir) {
    transports.push(new RotatingFileTransport(options));
  }
  return winston.createLogger({
    level: options.level,
    format,
    defaultMeta: { service: 'todobox' },
    transports,
    silent: options.silent,
  });
}
