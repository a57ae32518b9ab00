/** A request as the WAF statements of the program read it: method, path and the labels earlier rules added. */
export interface LabelledRequest {
  method: string;
  path: string;
  labels: string[];
}

// Statements as the mock engine recorded them, of the few kinds the program's label rules use.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Statement = any;

function transformed(value: string, transformations: Array<{ type: string }>): string {
  return transformations.reduce((text, { type }) => (type === 'LOWERCASE' ? text.toLowerCase() : type === 'URL_DECODE' ? decodeURIComponent(text) : text), value);
}

function field(request: LabelledRequest, fieldToMatch: Statement): string {
  if (fieldToMatch.method) return request.method;
  if (fieldToMatch.uriPath) return request.path;
  throw new Error(`field not modelled: ${JSON.stringify(fieldToMatch)}`);
}

/** Whether a statement matches the request, as WAF would decide it; throws on a kind it does not model. */
export function matches(statement: Statement, request: LabelledRequest): boolean {
  if (statement.andStatement) return statement.andStatement.statements.every((inner: Statement) => matches(inner, request));
  if (statement.orStatement) return statement.orStatement.statements.some((inner: Statement) => matches(inner, request));
  if (statement.notStatement) return !matches(statement.notStatement.statement, request);
  if (statement.labelMatchStatement) return request.labels.includes(statement.labelMatchStatement.key);
  const byteMatch = statement.byteMatchStatement;
  if (byteMatch?.positionalConstraint === 'EXACTLY') return transformed(field(request, byteMatch.fieldToMatch), byteMatch.textTransformations) === byteMatch.searchString;
  const regexMatch = statement.regexMatchStatement;
  if (regexMatch) return new RegExp(regexMatch.regexString).test(transformed(field(request, regexMatch.fieldToMatch), regexMatch.textTransformations));
  throw new Error(`statement not modelled: ${JSON.stringify(statement)}`);
}
