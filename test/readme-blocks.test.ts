/**
 * Every TypeScript and JavaScript code block of README.md and docs/*.md type-checks as written,
 * imports included: each block is its own module, compiled against the package's own types
 * (`promwire` and `promwire/node` mapped to src/index.ts and src/node.ts) with the TypeScript
 * compiler API over virtual files. The options are a user's ordinary strict project (`strict`,
 * ES2022, bundler resolution, @types/node), not the repository's stricter tsconfig.
 *
 * A block that is deliberately not standalone (a fragment of the one before it, say) is marked
 * by an HTML comment on the line just before its opening fence:
 *
 *     <!-- not-standalone: the reason -->
 *
 * Use it rarely, and never to hide a broken example. Blocks in other languages (sh, yaml, text,
 * json...) are not checked. test/readme-remote-write.test.ts runs the remote-write recipes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The languages checked, by fence info string, and the extension their virtual file gets. */
const CHECKED: Record<string, '.ts' | '.js'> = { ts: '.ts', typescript: '.ts', js: '.js', javascript: '.js', mjs: '.js' };
const MARKER = /^<!--\s*not-standalone:\s*(.*?)\s*-->$/;

interface Block {
  /** Repository-relative markdown file. */
  doc: string;
  /** 1-based line of the block's first code line in `doc`. */
  line: number;
  ext: '.ts' | '.js';
  code: string;
  /** The reason given by a `<!-- not-standalone: ... -->` marker, or undefined. */
  notStandalone: string | undefined;
}

/** The fenced TypeScript/JavaScript blocks of a markdown text (top-level ``` fences only). */
function extractBlocks(doc: string, text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```\s*([\w-]*)/.exec(lines[i]!);
    if (open === null) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const ext = CHECKED[open[1]!.toLowerCase()];
    if (ext !== undefined) {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const marker = before >= 0 ? MARKER.exec(lines[before]!.trim()) : null;
      out.push({ doc, line: i + 2, ext, code: lines.slice(i + 1, end).join('\n'), notStandalone: marker?.[1] });
    }
    i = end;
  }
  return out;
}

const blocks = DOCS.flatMap((doc) => extractBlocks(doc, readFileSync(path.join(ROOT, doc), 'utf8')));
const checked = blocks.filter((b) => b.notStandalone === undefined);

/** Virtual file name of a block: inside the repository, so node_modules/@types resolve as for a real file. */
const fileOf = (b: Block): string => path.join(ROOT, '.readme-blocks', `${b.doc.replaceAll('/', '_')}-L${b.line}${b.ext}`);

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  strict: true,
  allowJs: true,
  checkJs: true,
  skipLibCheck: true,
  esModuleInterop: true,
  noEmit: true,
  paths: {
    promwire: [path.join(ROOT, 'src/index.ts')],
    'promwire/node': [path.join(ROOT, 'src/node.ts')],
  },
};

/** One program over every checked block (src/ is read once); diagnostics asked per block. */
function compile(list: Block[]): (b: Block) => string[] {
  const virtual = new Map(list.map((b) => [fileOf(b), b.code]));
  const host = ts.createCompilerHost(OPTIONS, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const code = virtual.get(f);
    return code !== undefined ? ts.createSourceFile(f, code, language) : getSourceFile.call(host, f, language, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], OPTIONS, host);
  return (b) => {
    const sf = program.getSourceFile(fileOf(b))!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
      const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      return `${b.doc}:${b.line + at}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  };
}

describe('extractBlocks', () => {
  const sample = [
    '# x',
    '```ts',
    "import { parse } from 'promwire';",
    '```',
    '<!-- not-standalone: continues the block above -->',
    '',
    '```js',
    'parse("a 1\\n");',
    '```',
    '```sh',
    'npm test',
    '```',
    '```ts',
    '```',
  ].join('\n');
  it('finds ts and js fences with their first code line and marker, and skips other languages', () => {
    expect(extractBlocks('x.md', sample)).toEqual([
      { doc: 'x.md', line: 3, ext: '.ts', code: "import { parse } from 'promwire';", notStandalone: undefined },
      { doc: 'x.md', line: 8, ext: '.js', code: 'parse("a 1\\n");', notStandalone: 'continues the block above' },
      { doc: 'x.md', line: 14, ext: '.ts', code: '', notStandalone: undefined },
    ]);
  });
  it('reports a broken block (the check can fail)', () => {
    const bad = extractBlocks(
      'bad.md',
      "```ts\nimport { parse } from 'promwire';\nconst n: number = parse('a 1\\n');\nundefinedName;\n```\n",
    );
    const errors = compile(bad)(bad[0]!);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^bad\.md:3: TS2322 /);
    expect(errors[1]).toMatch(/^bad\.md:4: TS\d+ Cannot find name 'undefinedName'/);
  });
});

describe('README.md and docs/*.md code blocks type-check as written', () => {
  it('finds the blocks, and few of them are marked not standalone', () => {
    expect(blocks.filter((b) => b.doc === 'README.md').length).toBeGreaterThan(10);
    const marked = blocks.filter((b) => b.notStandalone !== undefined);
    for (const b of marked) expect(b.notStandalone!.length, `${b.doc}:${b.line} gives a reason`).toBeGreaterThan(10);
    expect(marked.length).toBeLessThanOrEqual(Math.ceil(blocks.length / 10));
  });

  const diagnostics = compile(checked);
  for (const b of checked) {
    it(`${b.doc}:${b.line}`, () => {
      expect(diagnostics(b)).toEqual([]);
    });
  }
});
