/**
 * A `node -e` program that parses its standard input as JSON into `json`, then runs `body`: the servers have
 * Node.js but no jq, and a secret piped in never appears in a process's arguments.
 */
export function stdinJsonProgram(body: string): string {
  return `let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{const json=JSON.parse(s);${body}})`;
}
