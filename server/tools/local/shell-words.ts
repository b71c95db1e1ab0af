// The vocabulary shared by the shell analysis (shell-analysis.ts) and the rules per
// command name (shell-rules.ts): words as the shell will see them, the destructive
// kinds, and what a rule may tell the analysis. A leaf module, so the two import it
// and never each other.
export const SHELL_KINDS = [
  "recursive_delete",
  "find_delete",
  "mass_kill",
  "wipe",
  "truncate",
  "recursive_permission",
  "pipe_to_shell",
  "credential_read",
  "inline_code",
  "script_file",
  "privilege_escalation",
  "system_wipe",
] as const;
export type TShellKind = (typeof SHELL_KINDS)[number];

/** A word as the shell will see it: its text (variables as markers), and whether it is a glob. */
export type TWord = { text: string; isGlob: boolean };
export type TRedirect = { op: string; target: TWord | undefined };
export type TCommand = { words: TWord[]; redirects: TRedirect[] };

/** What a rule reports to the analysis, and how it hands inner commands back to it. */
export interface IShellAnalysis {
  flag(kind: TShellKind): void;
  unresolved(reason: string): void;
  /** A whole command text (from `sh -c '…'`, a here-string…), analysed at the given depth. */
  text(source: string, depth: number): void;
  /** One command; answers its resolved name, or null. */
  command(command: TCommand, depth: number): string | null;
  assignment(word: string): void;
}

// Variables become these markers inside their word, so a word keeps its shape ("a$X" stays
// one word) and we can tell a literal from something only known at run time.
export const OPEN = "\uE000";
export const CLOSE = "\uE001";
const MARKER = new RegExp(`${OPEN}([^${CLOSE}]*)${CLOSE}`, "g");

export function isDynamic(word: TWord | undefined): boolean {
  return !word || word.isGlob || word.text.includes(OPEN) || word.text.includes("`");
}

/** The word's text with variables written back as ${NAME} (and "$" for substitutions), for re-parsing. */
export function sourceOf(word: TWord): string {
  return word.text.replace(MARKER, (_, name: string) => (name ? `\${${name}}` : "$"));
}

/** The word's text with variables dropped: what path checks look at ("$HOME/.ssh" → "/.ssh"). */
export function literalOf(word: TWord): string {
  return word.text.replace(MARKER, "");
}
