/** Reads a tag whatever the case of its key (`environment`, `Environment`); values compare case-insensitively. */
export function tagValue(tags: Record<string, string> | undefined, key: string): string | undefined {
  const match = Object.entries(tags ?? {}).find(([tagKey]) => tagKey.toLowerCase() === key.toLowerCase());
  return match?.[1]?.toLowerCase();
}
