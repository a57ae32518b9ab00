/** A quoted here-document writing one file of a boot script; the terminator never appears inside the files written. */
export function writeFile(file: string, mode: string, content: string): string[] {
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return [`install -d "$(dirname ${file})"`, `cat > ${file} <<'TODOBOX_EOF'`, `${body}TODOBOX_EOF`, `chmod ${mode} ${file}`];
}

/**
 * On Ubuntu's first boot apt-daily and unattended-upgrades may hold the dpkg lock for minutes; apt would then
 * fail at once and `set -e` end the boot. Every apt-get of a boot script waits for the lock up to 10 minutes.
 */
export const APT_GET = 'apt-get -o DPkg::Lock::Timeout=600';
