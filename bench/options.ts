import { InvalidArgumentError } from 'commander';

/** A whole number of at least `min`, for a command-line option. */
export function wholeNumber(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return value;
  };
}

/** KEY=VALUE, collected over repeated options. */
export function appSetting(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(text);
  if (!match) throw new InvalidArgumentError('give a setting as KEY=VALUE, such as LOG_LEVEL=warn');
  return { ...previous, [match[1]]: match[2] };
}
