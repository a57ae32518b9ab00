import { runCli } from './program';

/** A database driver's own code, in a stack trace. */
const DRIVER_FRAME = /node_modules[\\/](pg|pg-protocol|mysql2)[\\/]/;

// A driver can throw from its socket's event handler (pg reading a reply of another protocol, when the
// port is a MySQL server's): one line saying what to check, not a stack trace from inside the driver.
// Any other uncaught error is a defect, shown with its stack.
process.on('uncaughtException', (error) => {
  const fromDriver = DRIVER_FRAME.test(error.stack ?? '');
  process.stderr.write(
    fromDriver
      ? `Unexpected error: ${error.message}. Check that the host and port in the settings are the right server's.\n`
      : `Unexpected error: ${error.stack ?? error.message}\n`,
  );
  process.exit(1);
});

// A reader that closed the pipe (`todobox user:list | head`) has what it wanted: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

runCli(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
