// An op file's import that failed, as one line naming the file (and the line where the user's code threw).
import { stackOf, userLine } from '../model/build.ts';

/** esbuild's "Transform failed with 1 error:\nfile:3:86: ERROR: Unexpected ..." as one line. */
export function loadErrorMessage(shown: string, error: unknown, sourceFile: string): string {
  // Node names the module that imported a missing one: for the op file itself, that is gradcheck's loader.
  const message = (error instanceof Error ? error.message : String(error)).replace(/ imported from \S*\/load\/runtime\.[jt]s$/m, '');
  const syntax = /^(?:\S.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (/Transform failed/.test(message) && syntax) return `${shown}:${syntax[1]}:${syntax[2]}: syntax error: ${syntax[3]}`;
  if (error instanceof SyntaxError) return `${shown}: syntax error: ${message.split('\n')[0]}`;
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  const line = userLine(stackOf(error), sourceFile);
  return `${shown}${line ? `:${line}` : ''}: importing the file threw ${name}${message.split('\n')[0]}`;
}

