// Limits on policy text, checked before Cedar sees it. Cedar's WebAssembly build
// recurses over the syntax tree, and its frames live on the thread's native stack
// (about 984 KiB in Node) and on its own stack in linear memory. Measured here with
// cedar-wasm 4.13 once V8 has optimised the module (the worst case: optimised
// frames are larger), about 76 nested parentheses, brackets, braces or `!(`, or a
// flat chain of about 104 `+`, `||`, `&&`, `.`, `has` or if-else links, overflow it
// (fresh, unoptimised code gets to ~130 and ~370). After such a trap the module's
// memory is in an unknown state, so a tenant could switch the gate off for everyone
// with one pack (server/policy/cedar.ts recovers from traps; this refuses them first).
//
// The bound is deliberately simple: the depth of any syntax tree is at most the
// bracket nesting plus the number of operators in its policy. Each is capped well
// below the measured traps (16 + 48 = 64 levels, a third of the stack left for the
// caller); a real policy uses a handful of each. `complexity.test.ts` shows the
// worst case inside the limits still decides, with optimised code.

export const POLICY_LIMITS = {
  /** Characters in one pack version (or the tenant's own policies). */
  maxChars: 100_000,
  /** Policies in one pack version. */
  maxPolicies: 500,
  /** Nesting of `(`, `[` and `{`, at any point (the braces of `when { … }` count). */
  maxNesting: 16,
  /** Operators in one policy: binary and unary operators, `.` accesses and `if`. */
  maxOperators: 48,
} as const;

export type TPolicyLimits = { [K in keyof typeof POLICY_LIMITS]: number };

type TPosition = { line: number; column: number };

// Keywords that build a node of the syntax tree; `then`/`else` belong to their `if`.
const OPERATOR_WORDS = new Set(["if", "in", "has", "like", "is"]);
const OPERATOR_PUNCTUATION = ["||", "&&", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "!", "."];
const OPENERS = new Set(["(", "[", "{"]);
const CLOSERS = new Set([")", "]", "}"]);

function isIdentifierStart(char: string): boolean {
  return /[A-Za-z_]/.test(char);
}

function isIdentifierPart(char: string): boolean {
  return /[A-Za-z0-9_]/.test(char);
}

/**
 * Problems with a policy text's size and shape, each naming its line and column;
 * empty when the text is within the limits. Strings and comments are skipped;
 * anything else malformed is left for Cedar's own parser to report.
 */
export function policyTextProblems(text: string, limits: TPolicyLimits = POLICY_LIMITS): string[] {
  if (text.length > limits.maxChars) {
    return [`the text has ${text.length.toLocaleString("en-US")} characters; at most ${limits.maxChars.toLocaleString("en-US")} are allowed`];
  }
  const problems: string[] = [];
  let line = 1;
  let column = 1;
  let depth = 0;
  let operators = 0;
  let policies = 0;
  let policyStart: TPosition | null = null;
  let isDepthReported = false;
  let isOperatorsReported = false;
  let index = 0;

  const advance = (count: number) => {
    for (let step = 0; step < count && index < text.length; step += 1) {
      if (text[index] === "\n") {
        line += 1;
        column = 1;
      } else column += 1;
      index += 1;
    }
  };
  const here = (): TPosition => ({ line, column });
  const startPolicy = () => {
    if (policyStart) return;
    policyStart = here();
    policies += 1;
    if (policies === limits.maxPolicies + 1) {
      problems.push(`line ${line}: more than ${limits.maxPolicies} policies in one pack; split it into several packs`);
    }
  };
  const countOperator = () => {
    startPolicy();
    operators += 1;
    if (operators > limits.maxOperators && !isOperatorsReported) {
      isOperatorsReported = true;
      const start = policyStart ?? here();
      problems.push(
        `line ${line}, column ${column}: the policy that starts on line ${start.line} has more than ${limits.maxOperators} operators ` +
          `(||, &&, comparisons, +, -, *, !, ".", has, like, in, is, if); split it into several policies`,
      );
    }
  };

  while (index < text.length) {
    const char = text[index] as string;
    const next = text[index + 1] ?? "";
    if (char === "\n" || char === " " || char === "\t" || char === "\r") {
      advance(1);
    } else if (char === "/" && next === "/") {
      while (index < text.length && text[index] !== "\n") advance(1);
    } else if (char === '"') {
      startPolicy();
      advance(1);
      while (index < text.length && text[index] !== '"') advance(text[index] === "\\" ? 2 : 1);
      advance(1);
    } else if (char === "@") {
      // An annotation: @name("value"). Its string is skipped by the branch above.
      startPolicy();
      advance(1);
    } else if (OPENERS.has(char)) {
      startPolicy();
      depth += 1;
      if (depth > limits.maxNesting && !isDepthReported) {
        isDepthReported = true;
        problems.push(`line ${line}, column ${column}: nesting deeper than ${limits.maxNesting} levels of (, [ or {; simplify the condition`);
      }
      advance(1);
    } else if (CLOSERS.has(char)) {
      depth = Math.max(0, depth - 1);
      advance(1);
    } else if (char === ";" && depth === 0) {
      // The end of one policy: operator counts are per policy.
      policyStart = null;
      operators = 0;
      isOperatorsReported = false;
      advance(1);
    } else if (isIdentifierStart(char)) {
      startPolicy();
      let end = index;
      while (end < text.length && isIdentifierPart(text[end] as string)) end += 1;
      const word = text.slice(index, end);
      if (OPERATOR_WORDS.has(word)) countOperator();
      advance(end - index);
    } else {
      startPolicy();
      const operator = OPERATOR_PUNCTUATION.find((candidate) => text.startsWith(candidate, index));
      if (operator) {
        countOperator();
        advance(operator.length);
      } else advance(1);
    }
    if (problems.length >= 5) break;
  }
  return problems;
}
