import { runCli } from './program';

runCli(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
