import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { currentRequestId } from './requestContext';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  /** Folder for todobox.log; omitted, the log goes to stdout only. */
  dir?: string;
  /** Bytes before the file rotates; the guide's RotatingFileHandler uses 10 MB. */
  maxSize?: number;
  maxFiles?: number;
  silent?: boolean;
}

export const LOG_FILE_NAME = 'todobox.log';

const withRequestId = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && info.requestId === undefined) info.requestId = requestId;
  return info;
});

export function createLogger(options: LoggerOptions): Logger {
  const format = winston.format.combine(
    withRequestId(),
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    winston.format.json(),
  );
  const transports: winston.transport[] = [new winston.transports.Console()];
  if (options.dir) {
    fs.mkdirSync(options.dir, { recursive: true });
    transports.push(
      new winston.transports.File({
        filename: path.join(options.dir, LOG_FILE_NAME),
        maxsize: options.maxSize ?? 10 * 1024 * 1024,
        maxFiles: options.maxFiles ?? 10,
        tailable: true,
      }),
    );
  }
  return winston.createLogger({
    level: options.level,
    format,
    defaultMeta: { service: 'todobox' },
    transports,
    silent: options.silent,
  });
}
