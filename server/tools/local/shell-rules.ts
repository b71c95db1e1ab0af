// What each command name means for shell-command-safety (used by shell-analysis.ts):
// destructive forms are flagged, wrappers are looked through to the command they
// run, interpreters are told apart by whether their code is inline, piped in, or
// a file. A command without a rule is not destructive by itself (ls, cat, grep…).
import { isDynamic, literalOf, sourceOf, type IShellAnalysis, type TCommand, type TWord } from "./shell-words";

type TRule = (analyzer: IShellAnalysis, command: TCommand, depth: number) => void;

const SYSTEM_DIRS = /^\/(usr\/)?(local\/)?s?bin\//;
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "rbash", "yash", "posh", "busybox-sh"]);
const DELETERS = new Set(["rm", "unlink", "shred", "rmdir", "truncate", "srm", "wipe"]);
const KILLERS = new Set(["kill", "pkill", "killall", "killall5", "skill", "slay"]);
const QUERY_FLAGS = new Set(["--version", "-V", "--help", "-h", "-v"]);

/** The command's name: the basename of a system path; programs anywhere else are scripts of the workspace. */
export function resolveName(analyzer: IShellAnalysis, word: string): string {
  // A program outside the read-only system folders (or reached through "..") is one the
  // workspace holds: what it does is not visible here.
  if (word.includes("/") && (!SYSTEM_DIRS.test(word) || /(^|\/)\.\.?(\/|$)/.test(word))) analyzer.flag("script_file");
  const base = word.slice(word.lastIndexOf("/") + 1);
  return base || word;
}

function texts(words: TWord[]): string[] {
  return words.map((word) => literalOf(word));
}

/** Short option bundles (-rf, -vR) and long options before "--". */
function options(words: TWord[]): { short: string; long: string[]; operands: TWord[] } {
  let short = "";
  const long: string[] = [];
  const operands: TWord[] = [];
  let isEnded = false;
  for (const word of words) {
    const text = literalOf(word);
    if (isEnded || isDynamic(word) || !text.startsWith("-") || text === "-") operands.push(word);
    else if (text === "--") isEnded = true;
    else if (text.startsWith("--")) long.push(text.split("=")[0] ?? text);
    else short += text.slice(1);
  }
  return { short, long, operands };
}

/** Skip a wrapper's options (those in `withValue` take the next word), then analyse what it runs. */
function unwrap(withValue: string[], then?: (rest: TWord[]) => TWord[]): TRule {
  return (analyzer, command, depth) => {
    const words = command.words;
    let index = 0;
    while (index < words.length) {
      const text = literalOf(words[index] as TWord);
      if (text === "--") {
        index += 1;
        break;
      }
      if (!text.startsWith("-") || text === "-" || isDynamic(words[index])) break;
      index += withValue.includes(text) ? 2 : 1;
    }
    const rest = then ? then(words.slice(index)) : words.slice(index);
    if (rest.length > 0) analyzer.command({ words: rest, redirects: command.redirects }, depth + 1);
  };
}

const rm: TRule = (analyzer, command) => {
  const { short, long, operands } = options(command.words);
  const isRecursive = /[rR]/.test(short) || long.includes("--recursive");
  const isBroad = operands.some((word) => word.isGlob || isDynamic(word));
  if (long.includes("--no-preserve-root") || (isRecursive && operands.some((word) => /^\/+(\*|\.)?$/.test(literalOf(word)))))
    analyzer.flag("system_wipe");
  if (isRecursive || isBroad) analyzer.flag("recursive_delete");
};

const shellRule: TRule = (analyzer, command, depth) => {
  const words = command.words;
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] as TWord;
    const text = literalOf(word);
    if (isDynamic(word) && index === 0) return analyzer.unresolved("a shell runs a script named by a variable");
    if (text === "--") return script(analyzer, words[index + 1], command);
    if (/^[-+]o$|^-O$|^--(rcfile|init-file)$/.test(text)) {
      index += 1;
      continue;
    }
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(text)) {
      const code = words.slice(index + 1).find((next) => !literalOf(next).startsWith("-"));
      if (!code) return analyzer.unresolved("a shell's -c has no command");
      return analyzer.text(sourceOf(code), depth + 1);
    }
    if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(text)) return script(analyzer, undefined, command);
    if (QUERY_FLAGS.has(text) && text !== "-v") return;
    if (!text.startsWith("-") && !text.startsWith("+")) return script(analyzer, word, command);
  }
  return script(analyzer, undefined, command);
};

/** An interpreter's program: a file (a script of the workspace), or read from its input. */
function script(analyzer: IShellAnalysis, file: TWord | undefined, command: TCommand, isShell = true): void {
  const heredoc = command.redirects.find((redirect) => redirect.op === "<<" || redirect.op === "<<-" || redirect.op === "<<<");
  if (heredoc) {
    analyzer.unresolved("a here-doc or here-string feeds an interpreter");
    if (heredoc.op === "<<<" && heredoc.target) analyzer.text(sourceOf(heredoc.target), 1);
    return;
  }
  if (!file || literalOf(file) === "-" || literalOf(file) === "/dev/stdin") return analyzer.flag("pipe_to_shell");
  if (isShell) analyzer.flag("script_file");
}

/** Interpreters and the options that make them run code given inline. */
function interpreter(inline: RegExp, longInline: string[] = []): TRule {
  return (analyzer, command) => {
    const words = command.words;
    for (const word of words) {
      const text = literalOf(word);
      if (QUERY_FLAGS.has(text) || text === "--version") return;
      if (longInline.some((flag) => text === flag || text.startsWith(`${flag}=`)) || (/^-[^-]/.test(text) && inline.test(text.slice(1))))
        return analyzer.flag("inline_code");
      if (text === "-") return script(analyzer, undefined, command, false);
      if (text === "-m") return;
      if (!text.startsWith("-")) return script(analyzer, word, command, false);
    }
    script(analyzer, undefined, command, false);
  };
}

const awk: TRule = (analyzer, command) => {
  let index = 0;
  const words = command.words;
  while (index < words.length && literalOf(words[index] as TWord).startsWith("-")) {
    const text = literalOf(words[index] as TWord);
    if (text === "-f" || text.startsWith("--file")) return;
    index += ["-F", "-v", "--assign", "--field-separator"].includes(text) ? 2 : 1;
  }
  const program = words[index];
  // awk runs commands through system(), and through pipes to or from a command string.
  if (program && (isDynamic(program) || /\bsystem\s*\(|\|/.test(literalOf(program)))) analyzer.flag("inline_code");
};

const kill: TRule = (analyzer, command) => {
  const args = texts(command.words);
  let index = 0;
  if (args[0] === "-s" || args[0] === "-n") index = 2;
  else if (args[0]?.startsWith("-") && args[0] !== "--") index = 1;
  if (args[index] === "--") index += 1;
  // -1 is every process the user may signal; 0 and negative ids are whole process groups.
  if (args.slice(index).some((pid) => pid === "0" || pid.startsWith("-") || pid.startsWith("%"))) analyzer.flag("mass_kill");
  // A pid only known at run time could be -1; $$ and $! are one process each.
  if (command.words.slice(index).some((word) => isDynamic(word) && !/^\uE000[$!]\uE001$/.test(word.text))) analyzer.flag("mass_kill");
};

const find: TRule = (analyzer, command, depth) => {
  const words = command.words;
  for (let index = 0; index < words.length; index += 1) {
    const text = literalOf(words[index] as TWord);
    if (text === "-delete") analyzer.flag("find_delete");
    if (["-exec", "-execdir", "-ok", "-okdir"].includes(text)) {
      const end = words.findIndex((word, at) => at > index && (word.text === ";" || word.text === "+"));
      const inner = words.slice(index + 1, end < 0 ? undefined : end);
      const name = analyzer.command({ words: inner, redirects: [] }, depth + 1);
      if (name && (DELETERS.has(name) || KILLERS.has(name))) analyzer.flag("find_delete");
      if (end < 0) break;
      index = end;
    }
  }
};

const xargs = unwrapWithResult(["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args", "--max-procs"]);

/** xargs hands its input to the command as arguments: deleting or killing through it is en masse. */
function unwrapWithResult(withValue: string[]): TRule {
  return (analyzer, command, depth) => {
    const words = command.words;
    let index = 0;
    while (index < words.length) {
      const text = literalOf(words[index] as TWord);
      if (!text.startsWith("-") || isDynamic(words[index])) break;
      index += withValue.includes(text) ? 2 : 1;
    }
    const rest = words.slice(index);
    if (rest.length === 0) return;
    const name = analyzer.command({ words: rest, redirects: [] }, depth + 1);
    if (name && DELETERS.has(name)) analyzer.flag("recursive_delete");
    if (name && KILLERS.has(name)) analyzer.flag("mass_kill");
  };
}

const env: TRule = (analyzer, command, depth) => {
  const words = command.words;
  let index = 0;
  while (index < words.length) {
    const word = words[index] as TWord;
    const text = literalOf(word);
    if (isDynamic(word)) break;
    if (text === "-S" || text === "--split-string")
      return analyzer.text(
        words
          .slice(index + 1)
          .map(sourceOf)
          .join(" "),
        depth + 1,
      );
    if (text.startsWith("-S")) return analyzer.text([text.slice(2), ...words.slice(index + 1).map(sourceOf)].join(" "), depth + 1);
    if (["-u", "-C", "--unset", "--chdir"].includes(text)) index += 2;
    else if (text.startsWith("-")) index += 1;
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) {
      analyzer.assignment(text);
      index += 1;
    } else break;
  }
  if (index < words.length) analyzer.command({ words: words.slice(index), redirects: command.redirects }, depth + 1);
};

const privileged: TRule = (analyzer, command, depth) => {
  analyzer.flag("privilege_escalation");
  const words = command.words;
  const dashC = words.findIndex((word) => ["-c", "--command"].includes(literalOf(word)));
  if (dashC >= 0 && words[dashC + 1]) return analyzer.text(sourceOf(words[dashC + 1] as TWord), depth + 1);
  unwrap(["-u", "-g", "-C", "-h", "-p", "-r", "-t", "-U", "-D"])(analyzer, command, depth);
};

const git: TRule = (analyzer, command) => {
  const args = texts(command.words);
  let index = 0;
  while (args[index]?.startsWith("-")) index += ["-C", "-c", "--git-dir", "--work-tree"].includes(args[index] ?? "") ? 2 : 1;
  const sub = args[index];
  const rest = options(command.words.slice(index + 1));
  if (sub === "clean" && !/n/.test(rest.short) && !rest.long.includes("--dry-run")) analyzer.flag("recursive_delete");
  if (sub === "rm" && /r/.test(rest.short)) analyzer.flag("recursive_delete");
};

const RULES: Record<string, TRule> = {
  rm,
  srm: rm,
  chmod: recursiveOption("R"),
  chown: recursiveOption("R"),
  chgrp: recursiveOption("R"),
  setfacl: recursiveOption("R"),
  kill,
  pkill: (analyzer) => analyzer.flag("mass_kill"),
  killall: (analyzer) => analyzer.flag("mass_kill"),
  killall5: (analyzer) => analyzer.flag("mass_kill"),
  skill: (analyzer) => analyzer.flag("mass_kill"),
  slay: (analyzer) => analyzer.flag("mass_kill"),
  find,
  xargs,
  parallel: xargs,
  dd: (analyzer, command) => {
    if (texts(command.words).some((arg) => arg.startsWith("of="))) analyzer.flag("wipe");
  },
  shred: (analyzer) => analyzer.flag("wipe"),
  wipe: (analyzer) => analyzer.flag("wipe"),
  wipefs: (analyzer) => analyzer.flag("wipe"),
  mkswap: (analyzer) => analyzer.flag("wipe"),
  fdisk: (analyzer) => analyzer.flag("wipe"),
  sfdisk: (analyzer) => analyzer.flag("wipe"),
  parted: (analyzer) => analyzer.flag("wipe"),
  blkdiscard: (analyzer) => analyzer.flag("wipe"),
  truncate: (analyzer) => analyzer.flag("truncate"),
  rsync: (analyzer, command) => {
    if (options(command.words).long.some((flag) => flag.startsWith("--delete") || flag === "--remove-source-files"))
      analyzer.flag("recursive_delete");
  },
  tar: (analyzer, command) => {
    if (options(command.words).long.includes("--remove-files")) analyzer.flag("recursive_delete");
  },
  git,
  command: (analyzer, command, depth) => {
    if (command.words.some((word) => ["-v", "-V"].includes(literalOf(word)))) return;
    unwrap([])(analyzer, command, depth);
  },
  builtin: unwrap([]),
  exec: unwrap(["-a"]),
  nohup: unwrap([]),
  nice: unwrap(["-n", "--adjustment"]),
  ionice: unwrap(["-c", "-n", "-p", "--class", "--classdata"]),
  time: unwrap(["-f", "-o", "--format", "--output"]),
  stdbuf: unwrap(["-i", "-o", "-e"]),
  setsid: unwrap([]),
  unbuffer: unwrap([]),
  strace: unwrap(["-o", "-e", "-p", "-s", "-u", "-E"]),
  ltrace: unwrap(["-o", "-e", "-p", "-s", "-u"]),
  timeout: unwrap(["-s", "-k", "--signal", "--kill-after"], (rest) => rest.slice(1)),
  taskset: unwrap([], (rest) => rest.slice(1)),
  chrt: unwrap([], (rest) => rest.slice(1)),
  flock: (analyzer, command, depth) => {
    const dashC = command.words.findIndex((word) => ["-c", "--command"].includes(literalOf(word)));
    if (dashC >= 0 && command.words[dashC + 1]) return analyzer.text(sourceOf(command.words[dashC + 1] as TWord), depth + 1);
    unwrap(["-w", "-E", "--timeout", "--conflict-exit-code"], (rest) => rest.slice(1))(analyzer, command, depth);
  },
  busybox: unwrap([]),
  toybox: unwrap([]),
  watch: (analyzer, command, depth) =>
    unwrap(["-n", "--interval", "-d", "-q"], (rest) => {
      // watch hands its words to `sh -c`.
      analyzer.text(rest.map(sourceOf).join(" "), depth + 1);
      return [];
    })(analyzer, command, depth),
  env,
  sudo: privileged,
  doas: privileged,
  su: privileged,
  pkexec: privileged,
  run0: privileged,
  runuser: privileged,
  setpriv: privileged,
  nsenter: privileged,
  unshare: privileged,
  chroot: privileged,
  capsh: privileged,
  eval: (analyzer, command, depth) => {
    analyzer.unresolved("eval runs text built when the command runs");
    analyzer.text(command.words.map(sourceOf).join(" "), depth + 1);
  },
  alias: (analyzer) => analyzer.unresolved("an alias changes what a later command name runs"),
  hash: (analyzer) => analyzer.unresolved("hash changes where a command is found"),
  export: (analyzer, command) => command.words.forEach((word) => analyzer.assignment(literalOf(word))),
  declare: (analyzer, command) => command.words.forEach((word) => analyzer.assignment(literalOf(word))),
  typeset: (analyzer, command) => command.words.forEach((word) => analyzer.assignment(literalOf(word))),
  readonly: (analyzer, command) => command.words.forEach((word) => analyzer.assignment(literalOf(word))),
  local: (analyzer, command) => command.words.forEach((word) => analyzer.assignment(literalOf(word))),
  trap: (analyzer, command, depth) => {
    const action = command.words.find((word) => !literalOf(word).startsWith("-"));
    if (action) analyzer.text(sourceOf(action), depth + 1);
  },
  source: (analyzer, command) => script(analyzer, command.words[0], command),
  ".": (analyzer, command) => script(analyzer, command.words[0], command),
  awk,
  gawk: awk,
  mawk: awk,
  nawk: awk,
  perl: interpreter(/[eE]/),
  ruby: interpreter(/e/),
  irb: interpreter(/e/),
  node: interpreter(/[ep]/, ["--eval", "--print"]),
  nodejs: interpreter(/[ep]/, ["--eval", "--print"]),
  bun: interpreter(/e/, ["--eval", "--print"]),
  deno: (analyzer, command) => {
    const sub = literalOf(command.words[0] ?? { text: "", isGlob: false });
    if (sub === "eval" || sub === "repl") analyzer.flag("inline_code");
  },
  php: interpreter(/[rRBE]/),
  lua: interpreter(/e/),
  luajit: interpreter(/e/),
  Rscript: interpreter(/e/),
  pwsh: interpreter(/c/i, ["-Command", "-EncodedCommand"]),
  osascript: interpreter(/e/),
  tclsh: interpreter(/$^/),
  expect: interpreter(/c/),
};

function recursiveOption(letter: string): TRule {
  return (analyzer, command) => {
    const { short, long } = options(command.words);
    if (short.includes(letter) || long.includes("--recursive")) analyzer.flag("recursive_permission");
  };
}

export function commandRule(name: string): TRule | undefined {
  if (SHELLS.has(name)) return shellRule;
  if (/^python[0-9.]*$|^pypy[0-9.]*$/.test(name)) return interpreter(/c/);
  if (/^perl[0-9.]*$/.test(name)) return RULES.perl;
  if (/^mkfs(\..+)?$|^mke2fs$|^mkdosfs$/.test(name)) return (analyzer) => analyzer.flag("wipe");
  return Object.hasOwn(RULES, name) ? RULES[name] : undefined;
}
