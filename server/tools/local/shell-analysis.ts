// Turns a shell command into facts the shell-command-safety pack decides on
// (context.shell): which destructive kinds it contains, and whether any part of
// it could not be resolved before it runs. Pure: no I/O, no process.
//
// Commands are parsed with shell-quote, never matched as raw strings. The
// analysis is deliberately conservative, because a missed form runs unheld while
// a false alarm only asks a person:
//  - every command of a list is analysed: `;` `&` `&&` `||` `|` `|&`, subshells,
//    groups, process substitutions, `$( )` and backticks, and each line;
//  - wrappers are looked through (command, env, sudo, nice, timeout, xargs,
//    busybox, `sh -c '…'`, `find -exec`, …) and their inner command analysed;
//  - whatever only the running shell can know (a variable or substitution as the
//    command word, eval, aliases, PATH or preload changes, here-docs or
//    here-strings into an interpreter, glob or brace command words, anything the
//    parser rejects) makes the command "unresolved".
import { parse } from "shell-quote";
import { commandRule, resolveName } from "./shell-rules";
import {
  CLOSE,
  isDynamic,
  literalOf,
  OPEN,
  SHELL_KINDS,
  sourceOf,
  type IShellAnalysis,
  type TCommand,
  type TRedirect,
  type TShellKind,
  type TWord,
} from "./shell-words";

export { SHELL_KINDS, type TShellKind } from "./shell-words";

/** context.shell: what the gate hands Cedar about a shell.exec command. */
export type TShellFacts = {
  kinds: TShellKind[];
  isUnresolved: boolean;
  /** Why it is unresolved, in words (also shown in the held call's explanation trail). */
  reasons: string[];
  /** The command names the analysis resolved (basenames), for tenants' own rules. */
  commands: string[];
};

const MAX_DEPTH = 8;

const SEPARATORS = new Set([";", "&", "&&", "||", "|", "|&", "(", ")", ";;", ";&", ";;&", "<(", ">("]);
const REDIRECTS = new Set(["<", ">", ">>", ">|", "<>", ">&", "<&", "&>", "&>>", "<<<", "<<", "<<-"]);

export class ShellAnalyzer implements IShellAnalysis {
  private readonly kinds = new Set<TShellKind>();
  private readonly reasons = new Set<string>();
  private readonly commands = new Set<string>();

  flag(kind: TShellKind): void {
    this.kinds.add(kind);
  }

  unresolved(reason: string): void {
    this.reasons.add(reason);
  }

  facts(): TShellFacts {
    return {
      kinds: SHELL_KINDS.filter((kind) => this.kinds.has(kind)),
      isUnresolved: this.reasons.size > 0,
      reasons: [...this.reasons],
      commands: [...this.commands].sort(),
    };
  }

  /** A whole command text: every line, and the text as one (newlines inside quotes are legal). */
  text(source: string, depth: number): void {
    if (depth > MAX_DEPTH) return this.unresolved("commands nested too deeply to analyse");
    if (source.includes(OPEN) || source.includes(CLOSE)) return this.unresolved("the command contains characters the analysis reserves");
    // A backslash-newline joins lines before anything else (r\⏎m is rm).
    const joined = source.replace(/\\\r?\n/g, "");
    const lines = joined.split(/[\r\n]+/).filter((line) => line.trim());
    // Backticks: the parser splits an unquoted `…` at its spaces, so each span between
    // backticks is analysed as a command of its own (inside single quotes too: harmless).
    if (joined.includes("`")) joined.split("`").forEach((part, index) => index % 2 === 1 && this.text(part, depth + 1));
    this.line(joined, depth);
    if (lines.length > 1) for (const line of lines) this.line(line, depth);
  }

  private line(source: string, depth: number): void {
    let entries: ReturnType<typeof parse>;
    try {
      entries = parse(source, (name) => `${OPEN}${name}${CLOSE}`);
    } catch {
      return this.unresolved("the shell parser could not read the command");
    }
    let current: TCommand = { words: [], redirects: [] };
    let pendingRedirect: TRedirect | null = null;
    const finish = () => {
      if (pendingRedirect) current.redirects.push(pendingRedirect);
      pendingRedirect = null;
      if (current.words.length > 0 || current.redirects.length > 0) this.command(current, depth);
      current = { words: [], redirects: [] };
    };
    for (const entry of entries) {
      if (typeof entry === "string" || ("op" in entry && entry.op === "glob")) {
        const word: TWord = typeof entry === "string" ? { text: entry, isGlob: false } : { text: entry.pattern, isGlob: true };
        this.substitutions(word, depth);
        if (pendingRedirect) {
          pendingRedirect.target = word;
          current.redirects.push(pendingRedirect);
          pendingRedirect = null;
        } else current.words.push(word);
      } else if ("op" in entry) {
        if (SEPARATORS.has(entry.op)) finish();
        else if (REDIRECTS.has(entry.op)) {
          if (pendingRedirect) current.redirects.push(pendingRedirect);
          pendingRedirect = { op: entry.op, target: undefined };
        } else this.unresolved(`the shell operator ${entry.op} is not understood`);
      }
      // Comments ({ comment }) are not run by the shell.
    }
    finish();
  }

  /** A $(…) inside double quotes stays in its word: its command is analysed too. */
  private substitutions(word: TWord, depth: number): void {
    const text = word.text;
    const substitution = text.indexOf(`${OPEN}${CLOSE}(`);
    if (substitution >= 0) this.text(sourceOf({ text: text.slice(substitution + 2).replace(/^\(+|\)+$/g, ""), isGlob: false }), depth + 1);
  }

  /** One simple command (reserved words and assignments first), then its rule. Returns its resolved name. */
  command(command: TCommand, depth: number): string | null {
    if (depth > MAX_DEPTH) {
      this.unresolved("commands nested too deeply to analyse");
      return null;
    }
    const words = [...command.words];
    for (const redirect of command.redirects) if (redirect.target) this.checkPath(redirect.target);
    for (const word of words) this.checkPath(word);
    while (words[0] && !isDynamic(words[0])) {
      const head = words[0].text;
      if (["!", "{", "}", "then", "do", "else", "elif", "if", "while", "until", "done", "fi", "esac", "time"].includes(head)) words.shift();
      else if (["for", "select", "case", "in", "function"].includes(head)) return null;
      else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(head)) {
        this.assignment(head);
        words.shift();
      } else break;
    }
    const first = words[0];
    if (!first) return null;
    if (isDynamic(first)) {
      this.unresolved("a variable, substitution or pattern is the command");
      return null;
    }
    if (/[{},]/.test(first.text) && first.text.length > 1) {
      this.unresolved("a brace expansion is the command");
      return null;
    }
    const name = resolveName(this, first.text);
    this.commands.add(name);
    commandRule(name)?.(this, { words: words.slice(1), redirects: command.redirects }, depth);
    return name;
  }

  /** Names that change what runs: where commands are found, or code loaded into every program. */
  assignment(word: string): void {
    const name = word.slice(0, word.indexOf("="));
    if (["PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "IFS", "SHELLOPTS", "PS4", "PROMPT_COMMAND"].includes(name))
      this.unresolved(`it sets ${name}, which changes what the shell runs`);
  }

  private checkPath(word: TWord): void {
    const text = literalOf(word);
    if (CREDENTIAL_PATHS.some((pattern) => pattern.test(text))) this.flag("credential_read");
    if (DEVICE_PATHS.test(text)) this.flag("wipe");
  }
}

// Files that hold credentials, wherever they appear in a command (argument or redirect).
const CREDENTIAL_PATHS = [
  /(^|\/|~)\.ssh(\/|$)/,
  /\bid_(rsa|dsa|ecdsa|ed25519)\b/,
  /^\/etc\/(shadow|gshadow|sudoers|master\.passwd)/,
  /^\/etc\/ssh\//,
  /\.aws\/(credentials|config)/,
  /(^|\/|~)\.(netrc|pgpass|git-credentials|npmrc|pypirc)$/,
  /\.docker\/config\.json/,
  /\.kube\/config/,
  /\.gnupg(\/|$)/,
  /\.config\/gcloud/,
  /\/proc\/[^/]+\/environ/,
  /(^|\/)\.env(\.[\w.-]+)?$/,
  /\.(pem|key|p12|pfx|keystore|jks)$/i,
  /^\/run\/secrets/,
];
const DEVICE_PATHS = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|loop|dm-|md\d|mapper\/|disk\/|mem$|kmem$|port$)/;

/** The facts for one shell.exec command. */
export function analyzeShell(command: string): TShellFacts {
  const analyzer = new ShellAnalyzer();
  analyzer.text(command, 0);
  return analyzer.facts();
}
