/** A quoted here-document writing one file of a boot script; the terminator never appears inside the files written. */
export function writeFile(file: string, mode: string, content: string): string[] {
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return [`install -d "$(dirname ${file})"`, `cat > ${file} <<'TODOBOX_EOF'`, `${body}TODOBOX_EOF`, `chmod ${mode} ${file}`];
}
