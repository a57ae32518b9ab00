import { runCli } from './program';

// A driver can throw from its socket's event handler (pg reading a reply of another protocol, when the
// port is a MySQL server's): one line saying so, not a stack trace from inside the driver.
process.on('uncaughtException', (error) => {
  process.stderr.write(`Unexpected error: ${error.message}. Check that the host and port in the settings are the right server's.\n`);
  process.exit(1);
});

runCli(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
