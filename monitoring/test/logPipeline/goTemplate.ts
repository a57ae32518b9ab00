/**
 * The part of Go's text/template that Alloy's stage.template is given here: text, `{{ .key }}` and
 * `{{ if .key }}...{{ end }}` over the extracted values. A missing key prints as Go prints it
 * (`<no value>`) and is false in `if`. Any other action is refused, so a template this cannot
 * evaluate fails the test instead of passing unread.
 */
export function renderGoTemplate(template: string, values: Record<string, string>): string {
  const action = /\{\{\s*(?:(if)\s+)?\.(\w+)\s*\}\}|\{\{\s*end\s*\}\}|\{\{/g;
  let output = '';
  let at = 0;
  const skipping: boolean[] = [];
  for (const match of template.matchAll(action)) {
    if (!skipping.includes(true)) output += template.slice(at, match.index);
    at = (match.index ?? 0) + match[0].length;
    const [, isIf, key] = match;
    if (match[0] === '{{') throw new Error(`Unsupported template action at ${match.index}: ${template}`);
    if (key === undefined) {
      if (skipping.pop() === undefined) throw new Error(`{{ end }} without {{ if }}: ${template}`);
    } else if (isIf) {
      skipping.push(!values[key]);
    } else if (!skipping.includes(true)) {
      output += values[key] ?? '<no value>';
    }
  }
  if (skipping.length > 0) throw new Error(`{{ if }} without {{ end }}: ${template}`);
  return output + template.slice(at);
}
