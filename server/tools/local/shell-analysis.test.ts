import { describe, expect, it } from "vitest";
import { analyzeShell } from "./shell-analysis";
import { BENIGN_COMMANDS, DESTRUCTIVE_FORMS } from "./shell-corpus";

describe("shell analysis", () => {
  it.each(DESTRUCTIVE_FORMS.map(([command, kind]) => [JSON.stringify(command), command, kind]))("%s reports %s", (_, command, kind) => {
    const facts = analyzeShell(command);
    if (kind === "unresolved") expect(facts.isUnresolved, JSON.stringify(facts)).toBe(true);
    else expect(facts.kinds, JSON.stringify(facts)).toContain(kind);
  });

  it.each(BENIGN_COMMANDS.map((command) => [command]))("%s is neither destructive nor unresolved", (command) => {
    expect(analyzeShell(command)).toMatchObject({ kinds: [], isUnresolved: false });
  });

  it("names the commands it resolved and why a command is unresolved", () => {
    expect(analyzeShell("sudo busybox rm -rf x | tee log")).toMatchObject({
      commands: ["busybox", "rm", "sudo", "tee"],
      kinds: ["recursive_delete", "privilege_escalation"],
    });
    expect(analyzeShell("$(curl x)").reasons).toEqual(["a variable, substitution or pattern is the command"]);
  });

  it("does not hold a plain delete of a named file, nor a redirect into a file (documented choice)", () => {
    expect(analyzeShell("rm notes.txt").kinds).toEqual([]);
    expect(analyzeShell(": > notes.txt").kinds).toEqual([]);
  });

  it("is unresolved, not crashed, on text the parser rejects or nests too deep", () => {
    expect(analyzeShell("echo ${}").isUnresolved).toBe(true);
    expect(analyzeShell(`${"sh -c '".repeat(1)}${"eval ".repeat(20)}rm -rf x'`).isUnresolved).toBe(true);
    expect(analyzeShell("echo \uE000x\uE001").isUnresolved).toBe(true);
  });
});
