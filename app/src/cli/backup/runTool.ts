import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError } from '../cliError';
import { redact } from '../redact';
import { ToolCommand } from './clientTools';

const MAX_ERROR_OUTPUT = 4000;

interface ToolStreams {
  /** Fed to the program's stdin (a restore), or nothing. */
  input?: Readable;
  /** Receives the program's stdout (a dump), or it is discarded. */
  output?: Writable;
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Runs a database client with its stdin and stdout streamed (never held in memory) and fails with the
 * client's own message, the password removed, when it exits non-zero.
 */
export async function runTool(tool: ToolCommand, password: string, streams: ToolStreams): Promise<void> {
  const child = spawn(tool.command, tool.args, {
    env: tool.env,
    stdio: [streams.input ? 'pipe' : 'ignore', streams.output ? 'pipe' : 'ignore', 'pipe'],
  });
  let errorOutput = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (errorOutput.length < MAX_ERROR_OUTPUT) errorOutput += chunk;
  });
  const exited = exitOf(child);
  const transfers: Promise<void>[] = [];
  if (streams.input && child.stdin) transfers.push(pipeline(streams.input, child.stdin));
  if (streams.output && child.stdout) transfers.push(pipeline(child.stdout, streams.output));
  const transferred = Promise.allSettled(transfers);

  let exit: Awaited<ReturnType<typeof exitOf>>;
  try {
    exit = await exited;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${tool.command} was not found: install the database client tools (it must be on PATH).`);
    throw error;
  }
  const results = await transferred;
  const message = redact(errorOutput.trim(), password);
  if (exit.code !== 0) {
    const how = exit.signal ? `was stopped by ${exit.signal}` : `exited with code ${exit.code}`;
    throw new CliError(`${tool.command} ${how}${message ? `: ${message}` : ''}`);
  }
  for (const result of results) {
    if (result.status === 'rejected') {
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      throw new CliError(`${tool.command}: ${redact(reason, password)}`);
    }
  }
}
