import { CST, isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument, YAMLParseError } from 'yaml';

/** Deepest nesting a configuration may have: real ones reach 6 (notify.dingtalk.<robot>.mention.user_ids[0]). */
export const MAX_YAML_DEPTH = 32;
/** Most YAML nodes (keys, values, list items, collections) a configuration may have: real ones have a few hundred. */
export const MAX_YAML_NODES = 10_000;
/** Most lines: real configurations have a few hundred at most; lexing a million blank lines takes a second. */
export const MAX_YAML_LINES = 20_000;

const NODE_TOKENS = new Set([
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'alias',
  'flow-map-start',
  'flow-seq-start',
  'seq-item-ind',
  'explicit-key-ind',
]);

/**
 * Refuses a YAML text nested deeper than MAX_YAML_DEPTH, holding more than MAX_YAML_NODES nodes or MAX_YAML_LINES lines, before it is
 * parsed: the `yaml` package composes nodes recursively (a few hundred levels overflow the stack, after seconds and
 * hundreds of MB for a 1 MiB `[[[...`) and checks duplicate keys pairwise (a 25,000-key mapping takes seconds).
 * One pass over the lexer's tokens, stopping at the first limit passed, so a hostile text is refused at once.
 * Returns the problem, or undefined. Depth is counted from the columns of block nodes and open flow brackets; it may
 * count one level more than the document has, never fewer.
 */
export function yamlLimitProblem(text: string): string | undefined {
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    if (++lines > MAX_YAML_LINES) return `more than ${MAX_YAML_LINES} lines; a configuration has a few hundred`;
  }
  let nodes = 0;
  let flow = 0;
  let line = 1;
  let column = 0;
  /** Columns of the open block nodes, innermost last. */
  const block: number[] = [];
  let scalarSource = false;
  for (const token of new Lexer().lex(text)) {
    const type: string | null = scalarSource ? 'scalar-source' : CST.tokenType(token);
    scalarSource = type === 'scalar';
    if (type !== null && NODE_TOKENS.has(type)) {
      if (++nodes > MAX_YAML_NODES) {
        return `more than ${MAX_YAML_NODES} YAML nodes (keys, values, list items) by line ${line}; a configuration has a few hundred`;
      }
      if (flow === 0) {
        while (block.length > 0 && block[block.length - 1]! >= column) block.pop();
        block.push(column);
      }
      if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
      // The outermost flow collection is counted already, as the block node it is.
      if (block.length + Math.max(0, flow - 1) > MAX_YAML_DEPTH)
        return `YAML nested more than ${MAX_YAML_DEPTH} levels deep (line ${line})`;
    } else if ((type === 'flow-map-end' || type === 'flow-seq-end') && flow > 0) {
      flow--;
    } else if (type === 'doc-start' || type === 'doc-end') {
      block.length = 0;
      flow = 0;
    }
    // The lexer's own markers (document, scalar, flow error) are not in the text.
    if (token.length === 1 && token < ' ' && token !== '\n' && token !== '\t') continue;
    const newline = token.lastIndexOf('\n');
    if (newline < 0) {
      column += token.length;
    } else {
      for (let at = token.indexOf('\n'); at >= 0; at = token.indexOf('\n', at + 1)) line++;
      column = token.length - newline - 1;
    }
  }
  return undefined;
}

export type ParsedYaml = { ok: true; value: unknown } | { ok: false; line?: number; message: string };

/**
 * Parses a text that passed yamlLimitProblem. Duplicate keys are found here with a set per mapping: the `yaml`
 * package compares each key with every earlier one (a 5,000-key mapping took a quarter of a second).
 */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  const error = doc.errors[0];
  if (error !== undefined) {
    return {
      ok: false,
      line: error instanceof YAMLParseError ? error.linePos?.[0].line : undefined,
      message: error.message.split('\n')[0]!,
    };
  }
  // Depth is bounded by yamlLimitProblem; a stack rather than recursion all the same.
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (isScalar(pair.key) && seen.has(key)) {
          const line = pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
          return { ok: false, line, message: `the key ${JSON.stringify(key)} is given twice in one mapping` };
        }
        seen.add(key);
        pending.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      pending.push(...node.items);
    }
  }
  try {
    return { ok: true, value: doc.toJS() };
  } catch (caught) {
    // Alias expansion past maxAliasCount (a "billion laughs" document) throws here.
    return { ok: false, message: (caught as Error).message.split('\n')[0]! };
  }
}
